"""The build cache: a rebuild redoes only what its inputs changed.

Two kinds of entries, both keyed by content:

- **files**: the documents parsed from each input file, keyed by its path, size and modification
  time (and the field options): an unchanged file is not read again.
- **groups**: the rows a partitionable stage (see `pipeline.engine.Stage`) made from one group
  of its input — one document for `split`, one page of articles for `places`, `themes`, `terms`,
  `slogans` and `indicators` — keyed by a digest of the group's rows and the stage's
  fingerprint: its code and the resource files and options it takes. An unchanged page is not
  enriched again; a changed `themes.yaml` re-runs `themes` only.

A stage's row for a group depends on nothing but the group (the contract of `by`), so a table
assembled from cached and fresh groups equals a clean build's. Global stages (dedupe, keywords,
the timelines) always run. Any change to the pipeline's code invalidates every entry.

The cache is a folder (default: `~/.cache/govlens/NAME-…` for the output folder NAME) of Parquet
files and a manifest. An entry is stored in segments, two files each (`files.N.files.parquet` and
`files.N.documents.parquet`; `stage-NAME.N.rows.parquet` and `stage-NAME.N.keys.parquet`): a
rebuild writes what it read or computed as a new segment and keeps the others, so adding a file
to a large corpus does not write the whole cache again. Reading it runs no code; an entry that
cannot be read is recomputed. After each build it holds that build's entries, plus at most a
quarter of items no longer used (then the entry is written again, compacted).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.types import union_categoricals

from pipeline.engine import ResourceSpec, Stage
from pipeline.formats import Document

VERSION = 3  # 2: Parquet entries; 3: in segments
COMPACT_STALE_SHARE = 0.25  # an entry is written again once this share of what it stores is stale
MAX_SEGMENTS = 8
PACKAGE = Path(__file__).parent
# Which resource files (and build options) each field of `Resources` is built from.
RESOURCE_FILES = {
    "patterns": ("boilerplate.yaml",),
    "sources": ("sources.yaml", "--source"),
    "homes": ("sources.yaml",),
    "taxonomy": ("themes.yaml",),
    "gazetteer": ("gazetteer.csv", "place_aliases.csv", "place_false_friends.txt"),
    "segmenter": ("userdict.txt", "--segmenter"),
    "stopwords": ("stopwords.txt",),
    "slogan_rules": ("slogans.yaml",),
    "indicator_rules": ("indicators.yaml",),
}


def default_folder(out: Path) -> Path:
    """~/.cache/govlens/NAME-DIGEST for the output folder NAME (never inside a project folder)."""
    out = out.resolve()
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "govlens" / f"{out.name}-{_digest(out)[:12]}"


def code_fingerprint() -> str:
    """Digest of the pipeline's source: new code, new results."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _digest(*parts: object) -> str:
    return hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=16).hexdigest()


def group_digests(frame: pd.DataFrame, by: str) -> tuple[np.ndarray, list[str]]:
    """For each row the index of its group (groups in order of first row), and a digest of each
    group's rows (every column)."""
    codes = pd.factorize(frame[by])[0]
    row_hashes = np.zeros(len(frame), dtype=np.uint64)
    for column in frame.columns:
        row_hashes *= np.uint64(1_000_003)
        row_hashes ^= _column_hashes(frame[column])
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=codes.max(initial=-1) + 1))]
    ordered = row_hashes[order]
    digests = [hashlib.blake2b(ordered[a:b].tobytes(), digest_size=16).hexdigest() for a, b in zip(bounds[:-1], bounds[1:])]
    return codes, digests


MAX_RUNS = 1_000  # past this many runs of rows in order, one take of all rows is faster than slicing


def _take_rows(parts: list[pd.DataFrame], rows: np.ndarray) -> pd.DataFrame:
    """The given rows (indices into the parts placed end to end) in that order. A rebuild keeps
    most cached rows in their order: the parts are cut into runs of consecutive rows and the runs
    joined (Arrow-backed columns are joined without copying), instead of copying every row once
    to join the parts and again to reorder them."""
    offsets = np.cumsum([0] + [len(p) for p in parts])
    ends_run = (np.diff(rows) != 1) | np.isin(rows[1:], offsets[1:-1])  # a jump, or the next part begins
    starts = np.r_[0, np.flatnonzero(ends_run) + 1]
    if not len(rows) or len(starts) > MAX_RUNS:
        return pd.concat(parts, ignore_index=True).iloc[rows].reset_index(drop=True)
    stops = np.r_[starts[1:], len(rows)]
    part_of = np.searchsorted(offsets, rows[starts], side="right") - 1
    runs = [parts[p].iloc[rows[a] - offsets[p]: rows[b - 1] - offsets[p] + 1] for p, a, b in zip(part_of.tolist(), starts.tolist(), stops.tolist())]
    return pd.concat(runs, ignore_index=True) if len(runs) > 1 else runs[0].reset_index(drop=True)


def _joined_groups(parts: list[pd.DataFrame]) -> pd.Categorical:
    """The `_group` columns of the parts end to end, joined on their categories (16-byte keys
    once per group, not per row)."""
    if len(parts) == 1:
        return parts[0]["_group"].array
    return union_categoricals([_with_object_categories(p["_group"]) for p in parts])


def _with_object_categories(groups: pd.Series) -> pd.Categorical:
    """The same categorical with its categories as Python objects: categoricals join only on
    categories of one dtype, and a stage's fresh rows may be none (an empty categorical's
    categories are objects, the stored keys strings)."""
    return pd.Categorical.from_codes(groups.cat.codes, categories=groups.cat.categories.astype(object))


def _column_hashes(column: pd.Series) -> np.ndarray:
    """A 64-bit hash of each value: BLAKE2 of the UTF-8 of a text, of the joined items of a
    list. 4x faster on texts than pandas' hashing of object columns (which cannot hash lists)."""
    if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):  # texts hash alike in either dtype
        return pd.util.hash_pandas_object(column, index=False).to_numpy()
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(_as_text(v).encode("utf-8", "surrogatepass"), digest_size=8).digest() for v in column])
    return np.frombuffer(digests, dtype=np.uint64).copy()


def _as_text(value) -> str:
    if type(value) is str:
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        return "\x1e" + "\x1f".join(map(str, value))  # separators no text holds, so [a, b] != [ab] != "ab"
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "\x1d"  # missing, however spelled: a table read back from Parquet may say None for NaN
    return "\x1d" + str(value)  # str, not repr: numpy and Python numbers alike


class BuildCache:
    """One cache folder, opened for one build and saved after it succeeded."""

    def __init__(self, folder: Path, spec: ResourceSpec) -> None:
        self.folder = Path(folder)
        self.code = code_fingerprint()
        self.spec = spec
        self.fields = _digest(sorted(asdict(spec.fields).items()))  # how files were parsed
        self.manifest = self._read_manifest()
        self.segments: dict[str, list[tuple[int, set]]] = {}  # entry → its stored segments and what each holds
        self.files_seen: dict[str, tuple] = {}  # this build's files: doc_path → (key, documents)
        self.files_cached = self._load("files") or {}
        # stage → (its rows, with the `_group` they came from, and every group's key: a group
        # may give no rows) of this build, and of the previous one
        self.groups: dict[str, tuple[pd.DataFrame, frozenset[str]]] = {}
        self.stored: dict[str, tuple[pd.DataFrame | None, frozenset[str]]] = {}
        self.stats = {"files_reused": 0, "files_read": 0, "groups_reused": {}, "groups_computed": {}}

    @property
    def warm(self) -> bool:
        """Whether the cache holds an earlier build made by this code."""
        return bool(self.manifest.get("entries"))

    # -- fingerprints -----------------------------------------------------------------------

    def stage_fingerprint(self, stage: Stage, options: dict) -> str:
        parts = [self.code, stage.name]
        for param in stage.params:
            if param in options:
                parts.append(f"{param}={options[param]!r}")
            for source in RESOURCE_FILES.get(param, ()):
                if source == "--source":
                    parts.append(f"source={self.spec.source!r}")
                elif source == "--segmenter":
                    parts.append(f"segmenter={self.spec.segmenter!r}")
                else:
                    parts.append(f"{source}={_digest(self.spec.texts[source])}")
        return _digest(*parts)

    def _file_key(self, stat: os.stat_result) -> str:
        return f"{stat.st_size}:{stat.st_mtime_ns}:{self.fields}"

    # -- files --------------------------------------------------------------------------------

    def documents(self, doc_path: str, stat: os.stat_result) -> list[Document] | None:
        """The documents of an unchanged file, else None (read it and call `keep`)."""
        key = self._file_key(stat)
        cached = self.files_cached.get(doc_path)
        if cached is None or cached[0] != key:
            return None
        self.files_seen[doc_path] = cached
        self.stats["files_reused"] += 1
        return cached[1]

    def keep(self, doc_path: str, stat: os.stat_result, documents: list[Document]) -> None:
        self.files_seen[doc_path] = (self._file_key(stat), documents)
        self.stats["files_read"] += 1

    # -- groups of partitionable stages ---------------------------------------------------------

    def run_partitioned(self, group: Sequence[Stage], tables: dict, options: dict, compute) -> tuple[list[pd.DataFrame], list[float]]:
        """Run a batch of partitionable stages, computing (with `compute(stages, input_rows)`)
        only the groups a stage has no cached rows for."""
        name = group[0].inputs[0]
        first = tables[name]
        by = group[0].by
        if first.empty:
            return compute(group, tables)
        codes, digests = group_digests(first, by)
        fingerprints: dict[str, str] = {}
        for stage in group:  # a stage reading an earlier stage of the batch depends on its code and resources too
            upstream = [fingerprints[i] for i in stage.inputs if i in fingerprints]
            fingerprints[stage.name] = _digest(self.stage_fingerprint(stage, options), *upstream)
        cached, missing = {}, {}
        for stage in group:
            keys = [_digest(fingerprints[stage.name], d) for d in digests]
            stored, have = self._stage_rows(stage.name)
            missing[stage.name] = {i for i, k in enumerate(keys) if k not in have}
            cached[stage.name] = (keys, stored)
        for stage in reversed(group):  # a group computed again for a stage is computed for the stages it reads
            for i in stage.inputs:
                if i in missing:
                    missing[i] |= missing[stage.name]
        to_run = [s for s in group if missing[s.name]]
        fresh: dict[str, pd.DataFrame] = {}
        seconds = {s.name: 0.0 for s in group}
        if to_run:
            needed = sorted(set().union(*(missing[s.name] for s in to_run)))
            rows = np.flatnonzero(np.isin(codes, needed))
            subset = {**tables, name: first.iloc[rows].reset_index(drop=True)}
            frames, took = compute(to_run, subset)
            for stage, frame, spent in zip(to_run, frames, took, strict=True):
                fresh[stage.name], seconds[stage.name] = frame, spent
        out = []
        for stage in group:
            keys, stored = cached[stage.name]
            table = self._assemble(stage, first, codes, keys, stored, fresh.get(stage.name), by)
            self.stats["groups_reused"][stage.name] = len(keys) - len(missing[stage.name])
            self.stats["groups_computed"][stage.name] = len(missing[stage.name])
            out.append(table)
        return out, [seconds[s.name] for s in group]

    def _assemble(self, stage: Stage, first: pd.DataFrame, codes: np.ndarray, keys: list[str],
                  stored: pd.DataFrame | None, fresh: pd.DataFrame | None, by: str) -> pd.DataFrame:
        """The stage's table for the whole input, groups in input order: cached rows for the
        groups that have them, fresh rows for the others. Remembers it for `save`."""
        position = {k: i for i, k in enumerate(keys)}
        parts, positions = [], []  # each part's rows, and each row's group position (-1: not this build's)
        if fresh is not None:
            link = by if by in fresh.columns else "article_id"  # output rows name their group or their article
            group_of = dict(zip(first[link], codes, strict=True))
            fresh_groups = [keys[group_of[v]] for v in fresh[link]]
            parts.append(fresh.assign(_group=pd.Categorical(fresh_groups)))
            positions.append(np.array([position[k] for k in fresh_groups], dtype=np.int64))
        if stored is not None:
            done = set(parts[0]["_group"].cat.categories) if parts else set()
            # `_group` is categorical: mapping its categories, not its millions of rows
            where = stored["_group"].map({k: -1 if k in done else i for k, i in position.items()}).astype("float64").fillna(-1)
            parts.append(stored)
            positions.append(where.to_numpy().astype(np.int64))
        where = np.concatenate(positions)
        rows = np.flatnonzero(where >= 0)
        rows = rows[np.argsort(where[rows], kind="stable")]  # the rows of this build, in input order
        groups = _joined_groups(parts)
        table = _take_rows([p.drop(columns="_group") for p in parts], rows)
        table["_group"] = groups[rows].remove_unused_categories()
        self.groups[stage.name] = (table, frozenset(keys))
        return table.drop(columns="_group")

    def _stage_rows(self, name: str) -> tuple[pd.DataFrame | None, frozenset[str]]:
        if name not in self.stored:
            self.stored[name] = self._load(f"stage-{name}") or (None, frozenset())
        return self.stored[name]

    # -- storage ----------------------------------------------------------------------------------

    def _read_manifest(self) -> dict:
        try:
            manifest = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return manifest if manifest.get("version") == VERSION and manifest.get("code") == self.code else {}

    def _load(self, name: str):
        """An entry of the previous build (its segments merged, later ones first for a file read
        again), or None when it is absent or a segment is unreadable. Remembers what each
        segment holds, for `save`."""
        segments = self.manifest.get("entries", {}).get(name) if self.manifest else None
        if not segments:
            return None
        try:
            values = [self._read_segment(name, segment) for segment in segments]
        except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):  # damaged: recompute
            return None
        self.segments[name] = [(segment, _items(name, value)) for segment, value in zip(segments, values, strict=True)]
        if name == "files":
            return {path: entry for value in values for path, entry in value.items()}
        return _merge_stage_segments(values)

    def _read_segment(self, name: str, segment: int):
        frames = {part: _read_frame(self.folder / _file_name(name, segment, part)) for part in _parts(name)}
        return _files_from_frames(frames) if name == "files" else _stage_from_frames(frames)

    def save(self) -> None:
        """Replace the cache with this build's entries (written beside it, then swapped in; a
        concurrent build's save may win, which only costs the next build time).

        An entry is stored in segments: a rebuild writes only what it read or computed as a new
        segment and keeps the previous segments (hard links, not copies), until a quarter of the
        items they hold are no longer this build's (files gone or changed, pages changed) or
        there are MAX_SEGMENTS of them: then the entry is written again as one segment."""
        staging = self.folder.with_name(self.folder.name + f".saving-{os.getpid()}")
        previous = self.folder.with_name(self.folder.name + f".old-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            entries = {"files": self.files_seen, **{f"stage-{k}": v for k, v in self.groups.items()}}
            manifest = {"version": VERSION, "code": self.code,
                        "entries": {name: self._save_entry(name, value, staging) for name, value in entries.items()}}
            (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            if self.folder.exists():
                os.replace(self.folder, previous)
            os.replace(staging, self.folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(previous, ignore_errors=True)

    def _save_entry(self, name: str, value, staging: Path) -> list[int]:
        """Write one entry into `staging`; return its segments."""
        old = self.segments.get(name, [])
        live = _items(name, value)
        stored = set().union(*(items for _, items in old))
        stale = sum(len(items - live) for _, items in old)
        compact = not old or stale > COMPACT_STALE_SHARE * sum(len(items) for _, items in old) or len(old) >= MAX_SEGMENTS
        if not compact and self._link([(name, segment) for segment, _ in old], staging):
            fresh = live - stored
            if not fresh:
                return [segment for segment, _ in old]
            segment = old[-1][0] + 1
            self._write_segment(name, segment, _only(name, value, fresh), staging)
            return [s for s, _ in old] + [segment]
        self._write_segment(name, 0, value, staging)
        return [0]

    def _write_segment(self, name: str, segment: int, value, staging: Path) -> None:
        frames = _files_to_frames(value) if name == "files" else _stage_to_frames(value)
        for part, frame in frames.items():
            try:
                table = pa.Table.from_pandas(frame, preserve_index=False)
            except (TypeError, ValueError, pa.ArrowException) as exc:  # the build stands; the cache is optional
                raise OSError(f"cannot store {_file_name(name, segment, part)} as Parquet: {exc}") from exc
            pq.write_table(table, staging / _file_name(name, segment, part))

    def _link(self, segments: list[tuple[str, int]], staging: Path) -> bool:
        """Keep segments' files (hard links, not copies); False where links fail."""
        try:
            for name, segment in segments:
                for part in _parts(name):
                    os.link(self.folder / _file_name(name, segment, part), staging / _file_name(name, segment, part))
        except OSError:
            for leftover in staging.glob("*.parquet"):
                if any(leftover.name.startswith(f"{name}.{segment}.") for name, segment in segments):
                    leftover.unlink()
            return False
        return True


# --- entries as Parquet tables ----------------------------------------------------------------------

_DOCUMENT_FIELDS = ("doc_path", "format", "encoding", "raw_text", "body")


def _parts(name: str) -> tuple[str, str]:
    return ("files", "documents") if name == "files" else ("rows", "keys")


def _file_name(name: str, segment: int, part: str) -> str:
    return f"{name}.{segment}.{part}.parquet"


def _items(name: str, value) -> set:
    """What an entry holds: (file, key) pairs of the files entry, group keys of a stage's."""
    return {(path, key) for path, (key, _) in value.items()} if name == "files" else set(value[1])


def _only(name: str, value, items: set):
    """The part of an entry holding `items`."""
    if name == "files":
        return {path: entry for path, entry in value.items() if (path, entry[0]) in items}
    rows, _ = value
    return rows[rows["_group"].isin(items)].reset_index(drop=True), frozenset(items)


def _merge_stage_segments(values: list[tuple[pd.DataFrame, frozenset[str]]]) -> tuple[pd.DataFrame, frozenset[str]]:
    if len(values) == 1:
        return values[0]
    groups = _joined_groups([rows for rows, _ in values])
    rows = pd.concat([rows.drop(columns="_group") for rows, _ in values], ignore_index=True).assign(_group=groups)
    return rows, frozenset().union(*(keys for _, keys in values))


def _read_frame(path: Path) -> pd.DataFrame:
    """A frame as written by `save`; list columns come back as Python lists, as the stages made them."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    for column, kind in zip(table.column_names, table.schema.types):
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            frame[column] = pd.Series(table.column(column).to_pylist(), index=frame.index, dtype=object)
    return frame


def _files_to_frames(files: dict[str, tuple[str, list[Document]]]) -> dict[str, pd.DataFrame]:
    """`files_seen` (path → (key, documents)): one row per file and one per document (a file may
    hold none)."""
    documents = [(path, d) for path, (_, docs) in files.items() for d in docs]
    columns = {f: [getattr(d, f) for _, d in documents] for f in _DOCUMENT_FIELDS}
    # A plain text file's body is its raw text: stored once (null body), read back as one string.
    columns["body"] = [None if d.body == d.raw_text else d.body for _, d in documents]
    return {
        "files": pd.DataFrame({"file": list(files), "key": [key for key, _ in files.values()]}, dtype=object),
        "documents": pd.DataFrame({"file": [path for path, _ in documents], **columns,
                                   "meta": [json.dumps(d.meta, ensure_ascii=False) for _, d in documents]}, dtype=object),
    }


def _files_from_frames(frames: dict[str, pd.DataFrame]) -> dict[str, tuple[str, list[Document]]]:
    out = {file: (key, []) for file, key in zip(frames["files"]["file"], frames["files"]["key"], strict=True)}
    documents = frames["documents"]
    for file, doc_path, kind, encoding, raw_text, body, meta in zip(
            documents["file"], *(documents[f] for f in _DOCUMENT_FIELDS), documents["meta"], strict=True):
        body = body if isinstance(body, str) else raw_text  # null (None or NaN, as read back): the raw text
        out[file][1].append(Document(doc_path, kind, encoding, raw_text, body, json.loads(meta)))
    return out


def _stage_to_frames(entry: tuple[pd.DataFrame, frozenset[str]]) -> dict[str, pd.DataFrame]:
    rows, keys = entry
    return {"rows": rows, "keys": pd.DataFrame({"key": sorted(keys)}, dtype=object)}


def _stage_from_frames(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, frozenset[str]]:
    return frames["rows"], frozenset(frames["keys"]["key"])
