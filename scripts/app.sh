#!/usr/bin/env bash
# Set up (see setup.sh) and open the dashboard on the bundled sample (data/processed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run dashboard/app.py "$@"
