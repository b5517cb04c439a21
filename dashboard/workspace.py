"""Bring your own corpus: one temporary workspace per browser session. Streamlit-free but for
asking its runtime which sessions are still connected (`running_session`, `ended_sessions`).

A workspace is a folder `session-…` under the sessions root (`GOVLENS_SESSIONS`, default
`<system temp>/govlens-sessions`). Uploads are checked against `UploadLimits` (archives with
`pipeline.io.archive_problem`: escaping paths, links, bombs), saved under `inputs/` only for the
build (zip members are read in memory, never extracted), and the pipeline writes the tables to
`tables/` with `pipeline.io.write_outputs`. Nothing is written outside the workspace folder.

Edits re-derive tables from the stored `articles` table, without reading files again: a new theme
taxonomy re-scores `themes` and `timeline`; user dictionary words re-segment `terms` and
`keywords`. Tables are rewritten in place (atomically); the dashboard's queries key their caches on
the files' modification times, so the charts of this session update and other sessions, which
have their own folders, are untouched.

A workspace folder goes away when its session ends: the sweep (at app start, then at most every
SWEEP_EVERY_S seconds as pages run) removes the workspaces whose Streamlit session is no longer
connected once the time allowed to reconnect (`server.disconnectedSessionTTL`) has passed, and
those not used for `GOVLENS_SESSION_HOURS`; a finalizer also removes the folder when the
`Workspace` object is dropped with its session state, and at interpreter exit.
"""

from __future__ import annotations

import copy
import dataclasses
import io as bytes_io
import json
import os
import re
import shutil
import tempfile
import time
import weakref
import zipfile
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dashboard.export import csv_bytes
from dashboard.state import WORKSPACE_KEY
from pipeline import io
from pipeline.build import STAGES, build
from pipeline.config import Resources
from pipeline.keywords import keywords_table, terms_table
from pipeline.schema import TABLES, Col
from pipeline.segment import make_segmenter, parse_user_dictionary
from pipeline.themes import Taxonomy, TaxonomyError, themes_table
from pipeline.timeline import timeline_table

ROOT_ENV, HOURS_ENV = "GOVLENS_SESSIONS", "GOVLENS_SESSION_HOURS"
DEFAULT_HOURS = 12.0
PREFIX = "session-"
SESSION_KEY = WORKSPACE_KEY  # st.session_state key holding the session's Workspace
MB = 1_000_000
MAX_YAML_BYTES = 1 * MB  # an uploaded theme file
MAX_USER_WORDS = 20_000
SWEEP_EVERY_S = 5  # a sweep costs a directory listing

# Share of the progress bar each step of a build takes (the stages share the middle part).
_RESOURCES_END, _READ_END, _STAGES_END = 0.05, 0.30, 0.95

Progress = Callable[[str, float, str], None]  # (step, overall fraction 0–1, detail such as "12/100")
STEPS = ("resources", "read", *STAGES, "write")


class UploadRefused(ValueError):
    """An upload breaks a limit or holds a dangerous archive; the message says which and why."""


@dataclass(frozen=True)
class UploadLimits:
    """What one upload may cost. Set by environment variables (in MB and files), shown to the user."""

    max_upload_bytes: int = 200 * MB  # all files of one upload, as sent
    max_files: int = 5_000  # files uploaded plus files inside archives
    max_expanded_bytes: int = 500 * MB  # expanded size of the archives of one upload

    ENV = {"max_upload_bytes": ("GOVLENS_UPLOAD_MAX_MB", MB), "max_files": ("GOVLENS_UPLOAD_MAX_FILES", 1),
           "max_expanded_bytes": ("GOVLENS_UPLOAD_MAX_EXPANDED_MB", MB)}

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> UploadLimits:
        values = {}
        for name, (variable, unit) in cls.ENV.items():
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            try:
                number = float(raw)
            except ValueError:
                raise ValueError(f"{variable} must be a number, not {raw!r}") from None
            if number <= 0:
                raise ValueError(f"{variable} must be positive, not {raw!r}")
            values[name] = int(number * unit)
        return cls(**values)

    @property
    def max_upload_mb(self) -> int:
        """For Streamlit's uploader (whole MB, at least 1)."""
        return max(1, -(-self.max_upload_bytes // MB))

    def archive_limits(self) -> io.Limits:
        """The pipeline's limits with this upload's bounds on archives."""
        return dataclasses.replace(io.Limits(), max_archive_members=self.max_files, max_archive_bytes=self.max_expanded_bytes)


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def safe_name(name: str) -> str:
    """The file name an upload is saved under: its last path component, without control
    characters, at most 200 bytes; never empty, `.` or `..`."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _UNSAFE_NAME.sub("_", base).strip()
    if base in ("", ".", ".."):
        base = "upload"
    suffix = PurePosixPath(base).suffix[:10]
    stem = base[:len(base) - len(PurePosixPath(base).suffix)]
    while len(f"{stem}{suffix}".encode("utf-8")) > 200:
        stem = stem[:-1]
    return f"{stem}{suffix}"


def check_uploads(files: list[tuple[str, bytes]], limits: UploadLimits) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """The uploads to save, under safe unique names, and the files passed over (not a readable
    format) as report rows. Raises UploadRefused when the upload or one archive breaks a limit."""
    if not files:
        raise UploadRefused("no file uploaded")
    total = sum(len(data) for _, data in files)
    if total > limits.max_upload_bytes:
        raise UploadRefused(f"the upload holds {total:,} bytes, more than the limit of {limits.max_upload_bytes:,}")
    accepted, skipped, names = [], [], set()
    n_files, expanded = len(files), 0
    for name, data in files:
        saved = safe_name(name)
        if PurePosixPath(saved).suffix.lower() not in io.READABLE:
            skipped.append({"path": io.display_path(saved), "reason": "not a readable format"})
            continue
        stem, suffix = PurePosixPath(saved).stem, PurePosixPath(saved).suffix
        for n in range(2, len(files) + 2):
            if saved.lower() not in names:
                break
            saved = f"{stem} ({n}){suffix}"
        names.add(saved.lower())
        if saved.lower().endswith(".zip"):
            members = _archive_members(data)
            if members is not None:  # an unreadable archive is reported by the build
                problem = io.archive_problem(members, limits.archive_limits())
                if problem:
                    raise UploadRefused(f"{io.display_path(saved)}: {problem}")
                n_files += len(members)
                expanded += sum(m.file_size for m in members)
        accepted.append((saved, data))
    if n_files > limits.max_files:
        raise UploadRefused(f"the upload holds {n_files:,} files (archive contents included), "
                            f"more than the limit of {limits.max_files:,}")
    if expanded > limits.max_expanded_bytes:
        raise UploadRefused(f"the archives expand to {expanded:,} bytes, more than the limit of {limits.max_expanded_bytes:,}")
    return accepted, skipped


def _archive_members(data: bytes) -> list[zipfile.ZipInfo] | None:
    try:
        with zipfile.ZipFile(bytes_io.BytesIO(data)) as archive:
            return [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None


@lru_cache(maxsize=1)
def bundled_resources() -> Resources:
    """The bundled resources, loaded once per process (gazetteer and segmenter take seconds)."""
    return io.load_resources()


# --- the taxonomy as the editor and the YAML file see it --------------------------------------

def bundled_taxonomy() -> dict:
    return yaml.safe_load((io.RESOURCES / "themes.yaml").read_text(encoding="utf-8"))


_TERM_SEPARATORS = re.compile(r"[\n,，、;；]+")


def parse_terms(text: str) -> list[str]:
    """Terms typed in the editor: one per line (commas and 、 also separate); duplicates dropped."""
    return list(dict.fromkeys(t.strip() for t in _TERM_SEPARATORS.split(text) if t.strip()))


THEME_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def put_theme(config: dict, theme: dict, replace_id: str | None = None) -> dict:
    """A copy of `config` where theme `replace_id` is replaced by `theme` (appended when None).
    Raises TaxonomyError when the result is not a valid taxonomy."""
    tid = str(theme.get("id") or "").strip()
    if not THEME_ID.match(tid):
        raise TaxonomyError(f"theme id {tid!r}: use lower-case letters, digits and _ (starting with a letter, at most 40)")
    themes = [copy.deepcopy(t) for t in config.get("themes", [])]
    entry = {k: v for k, v in theme.items() if v not in (None, "", [])} | {"id": tid}
    if replace_id is None:
        themes.append(entry)
    else:
        themes = [entry if t.get("id") == replace_id else t for t in themes]
    return validated({**config, "themes": themes})


def drop_theme(config: dict, theme_id: str) -> dict:
    themes = [copy.deepcopy(t) for t in config.get("themes", []) if t.get("id") != theme_id]
    for t in themes:
        if t.get("parent") == theme_id:
            t.pop("parent")
    return validated({**config, "themes": themes})


def validated(config: dict) -> dict:
    """`config` when it is a valid taxonomy; TaxonomyError (naming the theme) otherwise."""
    Taxonomy.from_config(config)
    return config


def taxonomy_yaml(config: dict) -> str:
    """The taxonomy as the YAML file the pipeline reads (`pipeline/resources/themes.yaml`)."""
    header = ("# Theme taxonomy edited in govlens. Use it with the pipeline by copying it to\n"
              "# pipeline/resources/themes.yaml (field meanings: docs/themes.md).\n")
    return header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a few aliases can stand for billions of terms."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in a theme file")
        return super().compose_node(parent, index)


def load_taxonomy_yaml(data: bytes) -> dict:
    """A theme file uploaded by the user, checked; TaxonomyError with the reason otherwise."""
    if len(data) > MAX_YAML_BYTES:
        raise TaxonomyError(f"the theme file holds {len(data):,} bytes, more than {MAX_YAML_BYTES:,}")
    try:
        config = yaml.load(data.decode("utf-8-sig"), Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError:
        raise TaxonomyError("the theme file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"the theme file is not valid YAML: {str(exc).splitlines()[0]}") from None
    return validated(config)


def parse_user_words(text: str) -> list[tuple[str, int | None, str | None]]:
    """User dictionary words (jieba's format: `word [freq] [tag]` per line); ValueError naming
    the first bad line."""
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split("#", 1)[0].split()
        if len(parts) > 3 or (len(parts) == 3 and not parts[1].isdigit()):
            raise ValueError(f"line {number}: {line.strip()!r} is not `word [frequency] [tag]`")
    words = parse_user_dictionary(text)
    if len(words) > MAX_USER_WORDS:
        raise ValueError(f"{len(words):,} words, more than the limit of {MAX_USER_WORDS:,}")
    return words


# --- workspaces -------------------------------------------------------------------------------

def sessions_root(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get(ROOT_ENV) or Path(tempfile.gettempdir()) / "govlens-sessions")


def max_age_seconds(env: Mapping[str, str] = os.environ) -> float:
    raw = env.get(HOURS_ENV, "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_HOURS
    except ValueError:
        raise ValueError(f"{HOURS_ENV} must be a number of hours, not {raw!r}") from None
    return hours * 3600


Ended = Callable[[str], bool]  # session id → whether that session has ended


def sweep(root: Path, max_age_s: float, now: float | None = None, ended: Ended | None = None, grace_s: float = 0.0) -> list[Path]:
    """Remove the workspaces under `root` not used for `max_age_s` seconds, and those of this
    process whose session has `ended` and that were not used for `grace_s` seconds (the time a
    disconnected session may still come back). Return them."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            idle = now - entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:
            continue
        owner = _owner(Path(entry.path)) if ended is not None and idle > grace_s else None
        if idle > max_age_s or (owner is not None and ended(owner)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


OWNER_FILE = ".owner"  # "<pid> <session id>": the process and session a workspace belongs to


def _owner(folder: Path) -> str | None:
    """The session owning a workspace of this process (workspaces of other processes: None)."""
    try:
        pid, session = (folder / OWNER_FILE).read_text(encoding="utf-8").split(" ", 1)
    except (OSError, ValueError):
        return None
    return session if pid == str(os.getpid()) else None


def running_session() -> str | None:
    """The id of the Streamlit session running this code, or None outside the app.
    (With `ended_sessions`, the only place this module looks at Streamlit.)"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def ended_sessions() -> tuple[Ended, float] | None:
    """Inside a running app: which sessions have ended (are not connected), and how long
    Streamlit keeps a disconnected session for it to come back (server.disconnectedSessionTTL).
    None outside a running app (tests, AppTest)."""
    from streamlit import config
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    return (lambda session: not runtime.is_active_session(session)), float(config.get_option("server.disconnectedSessionTTL"))


def sweep_here(root: Path | None = None) -> list[Path]:
    """Sweep the sessions root with the liveness of this app's sessions when there is an app."""
    liveness = ended_sessions()
    ended, grace = liveness if liveness else (None, 0.0)
    return sweep(root or sessions_root(), max_age_seconds(), ended=ended, grace_s=grace)


_last_sweep: float | None = None


def sweep_now_and_then() -> None:
    """Sweep at most every SWEEP_EVERY_S seconds per process (the first call: at app start)."""
    global _last_sweep
    if _last_sweep is None or time.monotonic() - _last_sweep >= SWEEP_EVERY_S:
        _last_sweep = time.monotonic()
        sweep_here()


class Workspace:
    """One session's folder: the uploaded corpus's tables and the session's edits."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.active = True  # False: the session shows the bundled sample instead
        self.taxonomy: dict | None = None  # the edited taxonomy (None: the bundled one)
        self.user_words = ""  # the user dictionary typed by the user
        self.origin = ""  # what the tables were made from: "upload" or the folder they were copied from
        # Removes the folder when the session state holding this object is dropped (or at exit).
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(folder), True)

    @classmethod
    def create(cls, root: Path | None = None, owner: str | None = None) -> Workspace:
        """A new workspace under `root`; `owner`: the id of the Streamlit session it belongs to."""
        root = root or sessions_root()
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        sweep_here(root)
        folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
        if owner:
            (folder / OWNER_FILE).write_text(f"{os.getpid()} {owner}", encoding="utf-8")
        return cls(folder)

    @property
    def tables(self) -> Path:
        return self.folder / "tables"

    @property
    def inputs(self) -> Path:
        return self.folder / "inputs"

    def has_tables(self) -> bool:
        return (self.tables / "articles.parquet").is_file()

    def touch(self) -> None:
        """Mark the workspace as in use (the sweep removes those idle too long)."""
        try:
            os.utime(self.folder)
        except FileNotFoundError:
            pass

    def remove(self) -> None:
        self._finalizer()

    @property
    def removed(self) -> bool:
        return not self._finalizer.alive or not self.folder.is_dir()

    def taxonomy_config(self) -> dict:
        return copy.deepcopy(self.taxonomy) if self.taxonomy is not None else bundled_taxonomy()

    def resources(self) -> Resources:
        """The bundled resources with this session's taxonomy and user dictionary."""
        res = bundled_resources()
        changes = {}
        if self.taxonomy is not None:
            changes["taxonomy"] = Taxonomy.from_config(self.taxonomy)
        if self.user_words.strip():
            changes["segmenter"] = self._segmenter(res)
        return dataclasses.replace(res, **changes) if changes else res

    def _segmenter(self, res: Resources):
        return make_segmenter([*res.segmenter.user_words, *parse_user_words(self.user_words)], res.segmenter.engine)

    # -- build --------------------------------------------------------------------------------

    def build(self, files: list[tuple[str, bytes]], limits: UploadLimits, progress: Progress | None = None) -> dict:
        """Check, save and build uploaded files (name, content) into this workspace's tables.
        Returns the build report (as `report.json`); raises UploadRefused before writing
        anything when a limit is broken. When nothing readable was found the report has an
        `error` and the previous tables stay."""
        say = progress or (lambda step, fraction, detail: None)
        accepted, passed_over = check_uploads(files, limits)
        started = time.perf_counter()
        self.touch()
        say("resources", 0.0, "")
        res = self.resources()
        shutil.rmtree(self.inputs, ignore_errors=True)
        self.inputs.mkdir(mode=0o700)
        try:
            for name, data in accepted:
                (self.inputs / name).write_bytes(data)

            def reading(done: int, total: int) -> None:
                say("read", _RESOURCES_END + (_READ_END - _RESOURCES_END) * done / max(total, 1), f"{done:,}/{total:,}")

            say("read", _RESOURCES_END, "")
            read_started = time.perf_counter()
            result = io.read_inputs([self.inputs], res.fields, limits.archive_limits(), progress=reading)
            read_seconds = round(time.perf_counter() - read_started, 3)
        finally:
            shutil.rmtree(self.inputs, ignore_errors=True)  # the tables keep every text read
        result.skipped[:0] = passed_over
        result.seen += len(passed_over)
        report = {"inputs": [io.display_path(name) for name, _ in files], **result.summary()}
        if not result.documents:
            return report | {"error": "no readable article in the upload"}

        def stage(name: str, index: int, total: int) -> None:
            say(name, _READ_END + (_STAGES_END - _READ_END) * index / total, f"{index + 1}/{total}")

        tables, summary = build(result.documents, res, "", progress=stage)
        report |= {**summary, "segmenter": res.segmenter.engine, "taxonomy": self.taxonomy,
                   "user_words": len(parse_user_words(self.user_words))}
        report["durations_s"] = {"read": read_seconds, **summary["durations_s"]}
        say("write", _STAGES_END, "")
        report["durations_s"]["total"] = round(time.perf_counter() - started, 3)
        io.write_outputs(tables, report, self.tables)
        say("write", 1.0, "")
        self.origin, self.active = "upload", True
        return report

    def adopt(self, folder: Path) -> None:
        """Copy the tables of `folder` (the bundled sample) into this workspace, to edit them."""
        self.touch()
        tables = read_tables(folder)
        report = io.read_report(folder) if (folder / "report.json").is_file() else {}
        io.write_outputs(tables, report, self.tables)
        self.origin, self.active = str(folder), True

    def report(self) -> dict:
        return io.read_report(self.tables) if (self.tables / "report.json").is_file() else {}

    # -- edits ---------------------------------------------------------------------------------

    def apply_taxonomy(self, config: dict) -> dict:
        """Re-score the stored articles with `config` (TaxonomyError when invalid) and rewrite
        `themes` and the theme-dependent `timeline`. Returns {theme: articles} before and after."""
        taxonomy = Taxonomy.from_config(config)
        self.touch()
        started = time.perf_counter()
        tables = read_tables(self.tables)
        before = _per_theme(tables["themes"])
        tables["themes"] = themes_table(tables["articles"], taxonomy)
        tables["timeline"] = timeline_table(tables["articles"], tables["places"], tables["themes"])
        report = self.report() | {"themes": len(tables["themes"]), "taxonomy": config}
        report.setdefault("durations_s", {})["rescore"] = round(time.perf_counter() - started, 3)
        io.write_outputs(tables, report, self.tables)
        self.taxonomy = copy.deepcopy(config)
        return {"before": before, "after": _per_theme(tables["themes"]), "seconds": report["durations_s"]["rescore"]}

    def apply_user_words(self, text: str) -> dict:
        """Segment the stored articles again with the bundled dictionary plus `text` (ValueError
        when malformed) and rewrite `terms` and `keywords`. Places and indicators keep the bundled
        dictionary."""
        words = parse_user_words(text)
        self.touch()
        started = time.perf_counter()
        res = bundled_resources()
        segmenter = make_segmenter([*res.segmenter.user_words, *words], res.segmenter.engine)
        tables = read_tables(self.tables)
        tables["terms"] = terms_table(tables["articles"], segmenter, res.stopwords)
        tables["keywords"] = keywords_table(tables["terms"])
        report = self.report() | {"user_words": len(words)}
        report.setdefault("durations_s", {})["resegment"] = round(time.perf_counter() - started, 3)
        io.write_outputs(tables, report, self.tables)
        self.user_words = text
        return {"words": len(words), "terms": int(tables["terms"][Col.term].nunique()),
                "seconds": report["durations_s"]["resegment"]}


def _per_theme(themes: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in themes[Col.theme].value_counts().sort_index().items()}


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table the folder holds (a folder from an older build may lack the newer ones)."""
    return {name: io.read_table(folder, name) for name in TABLES if (Path(folder) / f"{name}.parquet").is_file()}


def tables_zip(folder: Path) -> bytes:
    """The tables of `folder` as a zip: `parquet/NAME.parquet`, `csv/NAME.csv` (UTF-8 with a BOM
    for Excel; list cells as JSON arrays) and `report.json`."""
    out = bytes_io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in TABLES:
            path = Path(folder) / f"{name}.parquet"
            if not path.is_file():
                continue
            archive.write(path, f"parquet/{name}.parquet")
            table = pq.read_table(path)
            frame = table.to_pandas()
            for column in (f.name for f in table.schema if pa.types.is_list(f.type)):
                frame[column] = frame[column].map(lambda v: None if v is None else json.dumps(v.tolist(), ensure_ascii=False))
            archive.writestr(f"csv/{name}.csv", csv_bytes(frame))
        report = Path(folder) / "report.json"
        if report.is_file():
            archive.write(report, "report.json")
    return out.getvalue()


# --- the session's workspace (any mutable mapping: st.session_state, or a dict in tests) -------

def of_session(state: MutableMapping) -> Workspace:
    """The session's workspace, created on first use."""
    ws = state.get(SESSION_KEY)
    if ws is None or ws.removed:
        ws = state[SESSION_KEY] = Workspace.create(owner=running_session())
    ws.touch()
    return ws


def session_tables(state: Mapping) -> Path | None:
    """The tables folder the session shows instead of the default one, or None."""
    sweep_now_and_then()
    ws = state.get(SESSION_KEY)
    if ws is None or not ws.active or not ws.has_tables():
        return None
    ws.touch()
    return ws.tables
