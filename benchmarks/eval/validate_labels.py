"""Standalone check of benchmarks/eval/labels.jsonl (stdlib only; does not import project code).

Usage: python benchmarks/eval/validate_labels.py [path/to/labels.jsonl]
Prints counts and a theme-frequency table; exits non-zero on the first schema problem.
"""
import collections
import json
import re
import sys
from pathlib import Path

THEMES = {
    "business_environment", "government_services", "community_services", "grassroots_governance",
    "rural_improvement", "digital_government", "elderly_child_care", "ecology", "culture_tourism",
    "party_building", "clean_governance", "public_safety", "employment", "economy_industry",
    "education_health",
}
FIELDS = ["corpus", "doc_path", "story", "title", "date", "date_precision", "date_note", "source",
          "primary_city", "primary_province", "cities", "themes", "note"]
DATE_RE = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


def check(path: Path) -> list:
    rows = []
    seen = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        r = json.loads(raw)
        where = f"line {n} ({r.get('doc_path')}#{r.get('story')})"
        assert list(r) == FIELDS, f"{where}: fields {list(r)}"
        assert r["corpus"] in ("seeds", "rmrb-governance"), where
        key = (r["corpus"], r["doc_path"], r["story"])
        assert key not in seen, f"{where}: duplicate"
        seen.add(key)
        assert isinstance(r["story"], int) and r["story"] >= 0, where
        assert isinstance(r["title"], str) and r["title"].strip() == r["title"] and r["title"], where
        if r["date"] is None:
            assert r["date_precision"] is None, where
        else:
            assert re.fullmatch(DATE_RE[r["date_precision"]], r["date"]), where
        if r["corpus"] == "rmrb-governance":
            d = r["doc_path"].split("/")[0]
            assert r["date"] == f"{d[:4]}-{d[4:6]}-{d[6:]}" and r["story"] == 0, where
        else:
            assert r["date_note"], f"{where}: seeds need date_note"
        assert isinstance(r["cities"], list) and r["cities"] == sorted(set(r["cities"])), f"{where}: cities"
        if r["primary_city"] is not None:
            assert r["primary_city"] in r["cities"], f"{where}: primary_city not in cities"
            assert r["primary_province"], f"{where}: primary_city without province"
        assert isinstance(r["themes"], list) and len(set(r["themes"])) == len(r["themes"]), where
        bad = set(r["themes"]) - THEMES
        assert not bad, f"{where}: unknown themes {bad}"
        rows.append(r)
    return rows


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("labels.jsonl")
    rows = check(path)
    per = collections.Counter(r["corpus"] for r in rows)
    print(f"{len(rows)} stories OK: " + ", ".join(f"{k}={v}" for k, v in sorted(per.items())))
    for corpus in sorted(per):
        sub = [r for r in rows if r["corpus"] == corpus]
        print(f"  {corpus}: primary_city set {sum(1 for r in sub if r['primary_city'])}, "
              f"province-only {sum(1 for r in sub if not r['primary_city'] and r['primary_province'])}, "
              f"neither {sum(1 for r in sub if not r['primary_city'] and not r['primary_province'])}")
    tf = collections.Counter(t for r in rows for t in r["themes"])
    for t in sorted(THEMES, key=lambda t: (-tf[t], t)):
        s = sum(t in r["themes"] for r in rows if r["corpus"] == "seeds")
        print(f"  {t:22s} {tf[t]:3d}  (seeds {s}, rmrb {tf[t] - s})")


if __name__ == "__main__":
    main()
