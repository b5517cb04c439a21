"""All file access of the pipeline: finding and reading inputs, loading resources, writing and
reading tables. Everything else is pure.

Outputs are written to a temporary folder beside the target and swapped in only once the whole
build has succeeded, so a failed or killed build leaves the previous tables as they were.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import lzma
import os
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatch
from io import StringIO
from pathlib import Path, PurePosixPath

import pandas as pd
import pyarrow.parquet as pq
import yaml

from pipeline.config import Resources
from pipeline.formats import EXTENSIONS, Document, FieldMap, Unreadable, parse
from pipeline.schema import TABLES, SchemaError, Table

RESOURCES = Path(__file__).parent / "resources"
READABLE = set(EXTENSIONS) | {".zip"}


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input may cost. Archives past them are refused, not truncated."""

    max_file_bytes: int = 50_000_000  # a larger single file is refused
    max_archive_members: int = 20_000
    max_archive_bytes: int = 500_000_000  # total expanded size of one archive
    max_compression_ratio: float = 200.0  # expanded / compressed, per member: a zip bomb's signature


@dataclass
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    seen: int = 0
    read: list[dict] = field(default_factory=list)  # {path, format, encoding, documents}
    skipped: list[dict] = field(default_factory=list)  # {path, reason}

    def summary(self) -> dict:
        """What the build report (report.json, the app's upload report) says about reading."""
        return {"files_seen": self.seen, "files_read": len(self.read), "files_skipped": len(self.skipped),
                "skipped": self.skipped, "read": self.read, "documents": len(self.documents)}


@dataclass(frozen=True)
class InputFile:
    path: Path
    doc_path: str  # relative to the INPUT root (prefixed with the root's name when several are given)


def discover(inputs: list[Path], skipped: list[dict]) -> Iterator[InputFile]:
    """Files under the inputs, recursively, in sorted order. Unreadable folders, broken links and
    link loops are reported in `skipped` and passed over."""
    for root in inputs:
        prefix = display_path(f"{root.resolve().name}/") if len(inputs) > 1 else ""
        if not root.exists():
            skipped.append({"path": display_path(str(root)), "reason": "no such file or folder (or a broken link)"})
        elif root.is_file():
            yield InputFile(root, prefix + display_path(root.name))
        else:
            yield from _walk(root, ".", prefix, {root.resolve()}, skipped)


def _walk(folder: Path, within: str, prefix: str, visited: set[Path], skipped: list[dict]) -> Iterator[InputFile]:
    """`within`: the folder's path relative to its input root ("." for the root); relative
    paths are joined as strings, not recomputed with pathlib for every file."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        skipped.append({"path": display_path(prefix + within), "reason": f"cannot list folder: {exc.strerror or exc}"})
        return
    for entry in entries:
        inside = entry.name if within == "." else f"{within}/{entry.name}"
        rel = display_path(prefix + inside)
        readable = os.path.splitext(entry.name)[1].lower() in READABLE
        try:
            if entry.is_dir(follow_symlinks=True):
                path = Path(entry.path)
                real = path.resolve()
                if real in visited or any(real in v.parents for v in visited if entry.is_symlink()):
                    skipped.append({"path": rel, "reason": "symbolic link loop (folder already visited)"})
                    continue
                yield from _walk(path, inside, prefix, visited | {real}, skipped)
            elif entry.is_file(follow_symlinks=True):
                if readable:
                    yield InputFile(Path(entry.path), rel)
            else:
                os.stat(entry.path)  # a dangling link or a link loop raises (reported below)
                if readable:  # reading a FIFO or a device would block or never end
                    skipped.append({"path": rel, "reason": "not a regular file (a pipe, socket or device)"})
        except FileNotFoundError:
            skipped.append({"path": rel, "reason": "broken symbolic link"})
        except OSError as exc:  # ELOOP and friends
            skipped.append({"path": rel, "reason": f"cannot follow: {exc.strerror or exc}"})


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_path(path: str) -> str:
    """A path as text that can be printed and stored: bytes of a file name that are not UTF-8
    (kept by Python as lone surrogates) and control characters (line breaks, terminal escapes)
    become `\\xNN`."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def read_inputs(inputs: list[Path], fields: FieldMap = FieldMap(), limits: Limits = Limits(),
                progress: Callable[[int, int], None] | None = None, cache=None) -> ReadResult:
    """Read and parse every input file; one bad file never stops the others. With a `cache`
    (`pipeline.cache.BuildCache`), a file of unchanged size and modification time is not read:
    its documents come from the cache."""
    result = ReadResult()
    files = list(discover(inputs, result.skipped))
    result.seen = len(files) + len(result.skipped)
    for done, item in enumerate(files, 1):
        if item.path.suffix.lower() == ".zip":
            _read_archive(item, fields, limits, result)
        else:
            try:
                stat = item.path.stat()
                if stat.st_size > limits.max_file_bytes:
                    raise Unreadable(_too_big(stat.st_size, limits))
                known = cache.documents(item.doc_path, stat) if cache is not None else None
                if known is not None:
                    _add(result, item.doc_path, known)
                else:
                    documents = _parse_into(result, item.doc_path, item.path.read_bytes(), fields)
                    if cache is not None:
                        cache.keep(item.doc_path, stat, documents)
            except (Unreadable, OSError) as exc:
                result.skipped.append({"path": item.doc_path, "reason": _reason(exc)})
        if progress:
            progress(done, len(files))
    return result


def _too_big(size: int, limits: Limits) -> str:
    return f"file of {size:,} bytes exceeds the limit of {limits.max_file_bytes:,}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    if isinstance(exc, EOFError):  # zipfile's word for compressed data that ends too soon
        return f"truncated or corrupt compressed data{f': {exc}' if str(exc) else ''}"
    return str(exc) or type(exc).__name__


def _parse_into(result: ReadResult, doc_path: str, data: bytes, fields: FieldMap) -> list[Document]:
    documents = parse(doc_path, data, fields)
    _add(result, doc_path, documents)
    return documents


def _add(result: ReadResult, doc_path: str, documents: list[Document]) -> None:
    result.documents += documents
    result.read.append({"path": doc_path, "format": documents[0].format, "encoding": documents[0].encoding,
                        "documents": len(documents)})


def _read_archive(item: InputFile, fields: FieldMap, limits: Limits, result: ReadResult) -> None:
    """Read the members of a zip archive; refuse the whole archive if it breaks a limit."""
    try:
        with zipfile.ZipFile(item.path) as archive:
            members = [m for m in archive.infolist() if not m.filename.endswith("/")]  # not is_dir(): it fails on an empty name
            problem = archive_problem(members, limits)
            if problem:
                result.skipped.append({"path": item.doc_path, "reason": problem})
                return
            result.seen += len(members) - 1  # the archive stands for its members from here on
            for member in sorted(members, key=lambda m: m.filename):
                name = display_path(f"{item.doc_path}/{member.filename}")
                if PurePosixPath(member.filename).suffix.lower() not in EXTENSIONS:
                    result.skipped.append({"path": name, "reason": "not a readable format"})
                    continue
                if member.flag_bits & 0x1:
                    result.skipped.append({"path": name, "reason": "encrypted (needs a password)"})
                    continue
                if member.file_size > limits.max_file_bytes:
                    result.skipped.append({"path": name, "reason": _too_big(member.file_size, limits)})
                    continue
                try:
                    _parse_into(result, name, archive.read(member), fields)
                except (Unreadable, OSError, zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError) as exc:
                    result.skipped.append({"path": name, "reason": _reason(exc)})
                except NotImplementedError as exc:  # zipfile's answer to deflate64, AES and other methods
                    result.skipped.append({"path": name, "reason": f"{exc} (recompress the archive with deflate)"})
    # zipfile's other words for a damaged archive: NotImplementedError ("zip file version 6.4"),
    # ValueError (a member name flagged UTF-8 that is not).
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        result.skipped.append({"path": item.doc_path, "reason": f"not a readable zip archive: {exc}"})


def archive_problem(members: list[zipfile.ZipInfo], limits: Limits) -> str | None:
    """Why an archive must be refused (escaping paths, links, bombs), or None."""
    if len(members) > limits.max_archive_members:
        return f"archive holds {len(members):,} files, more than the limit of {limits.max_archive_members:,}"
    total = 0
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            return f"archive entry {member.filename!r} escapes its folder"
        if stat.S_ISLNK(member.external_attr >> 16):
            return f"archive entry {member.filename!r} is a symbolic link"
        total += member.file_size
        if member.compress_size and member.file_size / member.compress_size > limits.max_compression_ratio:
            return f"archive entry {member.filename!r} expands {member.file_size / member.compress_size:,.0f}× (zip bomb?)"
    if total > limits.max_archive_bytes:
        return f"archive expands to {total:,} bytes, more than the limit of {limits.max_archive_bytes:,}"
    return None


RESOURCE_FILES = ("boilerplate.yaml", "sources.yaml", "themes.yaml", "gazetteer.csv", "place_aliases.csv",
                  "place_false_friends.txt", "userdict.txt", "stopwords.txt", "slogans.yaml", "indicators.yaml")


def read_resource_files(folder: Path = RESOURCES) -> dict[str, str]:
    """The text of every resource file users may edit, by file name."""
    return {name: (folder / name).read_text(encoding="utf-8") for name in RESOURCE_FILES}


def load_resources(folder: Path = RESOURCES, segmenter_engine: str = "auto", fields: FieldMap | None = None) -> Resources:
    """Read every resource file users may edit and build the stages' resources once."""
    return resources_from_texts(read_resource_files(folder), segmenter_engine, fields)


def resources_from_texts(texts: dict[str, str], segmenter_engine: str = "auto", fields: FieldMap | None = None) -> Resources:
    """Build the stages' resources from the resource files' texts (as read by `read_resource_files`;
    a worker on another machine gets them this way)."""

    def table(name: str) -> pd.DataFrame:
        return pd.read_csv(StringIO(texts[name]), dtype=str, keep_default_na=False, comment=None)

    divisions = table("gazetteer.csv")
    divisions[["lat", "lon"]] = divisions[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    return Resources.from_parsed(
        boilerplate=yaml.safe_load(texts["boilerplate.yaml"]),
        sources=yaml.safe_load(texts["sources.yaml"]),
        themes=yaml.safe_load(texts["themes.yaml"]),
        divisions=divisions,
        aliases=table("place_aliases.csv"),
        false_friends=texts["place_false_friends.txt"],
        user_dictionary=texts["userdict.txt"],
        stopwords=texts["stopwords.txt"],
        segmenter_engine=segmenter_engine,
        fields=fields,
        slogans=yaml.safe_load(texts["slogans.yaml"]),
        indicators=yaml.safe_load(texts["indicators.yaml"]),
    )


def write_outputs(tables: dict[str, pd.DataFrame], report: dict, out: Path) -> None:
    """Validate and write every table as Parquet plus report.json, replacing `out` only when all
    of it is written. The previous outputs survive any failure or kill before the final swap.
    Builds into one folder take turns."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        check_out(out)
        _recover(out)
        staging = out.with_name(f".{out.name}.building-{os.getpid()}")
        os.mkdir(staging)  # not mkdtemp: its 0700 would lock out a dashboard run by another user
        try:
            if out.exists():
                os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
            # Arrow encodes and compresses without holding the GIL: two tables at a time, the largest first.
            largest_first = sorted(tables.items(), key=lambda item: -len(item[1]))
            with ThreadPoolExecutor(WRITERS) as pool:
                list(pool.map(lambda item: write_table(item[1], TABLES[item[0]], staging / f"{item[0]}.parquet"), largest_first))
            (staging / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
            _fsync_tree(staging)
            _swap(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


WRITERS = 2  # tables written at once
ROWS_PER_GROUP = 100_000  # rows converted to Arrow and written at a time, at most…
BYTES_PER_GROUP = 64 * 2**20  # …and about this much data (the documents' texts: fewer rows)


def write_table(frame: pd.DataFrame, table: Table, path: Path, rows: int = ROWS_PER_GROUP) -> None:
    """Write a frame as Parquet in row groups of at most `rows` rows and about BYTES_PER_GROUP,
    converting one group at a time: the Arrow copy of a large table is never whole in memory."""
    sample = frame.iloc[:1_000]
    row_bytes = sample.memory_usage(deep=True, index=False).sum() / max(len(sample), 1)
    rows = min(rows, max(1_000, int(BYTES_PER_GROUP / max(row_bytes, 1))))
    chunks = (table.to_arrow(frame.iloc[start:start + rows]) for start in range(0, max(len(frame), 1), rows))
    first = next(chunks)
    with pq.ParquetWriter(path, first.schema, compression="zstd") as writer:  # its schema keeps pandas' dtypes
        writer.write_table(first)
        for chunk in chunks:
            writer.write_table(chunk)


OUTPUT_FILES = ("*.parquet", "report.json")  # what write_outputs puts in the output folder


def check_out(out: Path) -> None:
    """Refuse an output path that is a file or a folder holding anything a build does not write:
    replacing it would delete those files (`--out data/raw` must not wipe the articles)."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} is a file, not a folder of tables")
    foreign = sorted(p.name for p in out.iterdir() if not any(fnmatch(p.name, pattern) for pattern in OUTPUT_FILES)) if out.is_dir() else []
    if foreign:
        raise FileExistsError(f"{out} holds files a build does not write ({', '.join(foreign[:3])}"
                              f"{', …' if len(foreign) > 3 else ''}); replacing it would delete them. "
                              "Choose an empty or new folder, or a folder of tables.")


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """One writer at a time in the output's parent folder (a lock on the folder itself, so no lock
    file is left behind); the lock dies with its process, even on SIGKILL."""
    handle = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` in place of `out`. Where the system exchanges two names atomically (Linux
    renameat2), readers always find a complete folder and `staging` ends up holding the previous
    tables; elsewhere `out` is missing between two renames and `_recover` repairs a kill there."""
    if out.exists() and _exchange(staging, out):
        return
    previous = out.with_name(f".{out.name}.previous")
    if out.exists():
        os.replace(out, previous)
    os.replace(staging, out)
    shutil.rmtree(previous, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the C library, kernel or file system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    at_cwd, rename_exchange = -100, 2
    return renameat2 is not None and renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0


def _recover(out: Path) -> None:
    """Clean up after a killed build: `.NAME.previous` alone (killed between the two renames)
    goes back in place, a stale one and half-written staging folders go away."""
    previous = out.with_name(f".{out.name}.previous")
    if previous.exists():
        if out.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.replace(previous, out)
    for stale in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read one table and check it against its schema (SchemaError on mismatch)."""
    table = pq.read_table(Path(folder) / f"{name}.parquet")
    TABLES[name].check(table)
    return table.to_pandas()


def read_report(folder: Path) -> dict:
    return json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))


__all__ = ["Limits", "ReadResult", "SchemaError", "discover", "read_inputs", "archive_problem", "load_resources",
           "read_resource_files", "resources_from_texts",
           "write_outputs", "check_out", "display_path", "read_table", "read_report"]
