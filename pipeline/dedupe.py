"""Duplicates and reprints: exact copies, near copies, and partial copies.

The People's Daily crawl repeats long articles on continuation pages and outlets reprint each
other; each group of copies becomes one article keeping `n_copies`, every path and every source.

Three kinds of copy, none found by comparing all pairs:
- exact: the same text once spaces and punctuation are dropped (a hash);
- near: Jaccard similarity of 5-character shingles ≥ 0.8, candidates from MinHash LSH (banded
  one-permutation MinHash signatures, computed with numpy);
- partial: ≥ 90 % of a text's shingles inside a longer one (a continuation page holding part of
  an article), candidates from shared sampled shingles (those whose hash is 0 mod 16).
Every candidate pair is confirmed on the exact shingle sets before it is merged.

Two stages: `sketch_table` computes each story's sketch (core digest, signature, sampled
shingles) page by page — in the workers, with the split, and cached with it — and `dedupe` finds
the groups from the sketches of all stories, hashing again only the texts of candidate pairs.

Within a group the longest text is kept (the whole article rather than its continuation), ties
going to the first in (date, doc_path, story) order; it takes the date of the earliest copy, its
first publication.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.schema import Col

SHINGLE = 5
NUM_PERM = 64  # signature length: 64 buckets of one-permutation hashing
# LSH bands of the signature. 10 bands of 6 values find a pair of Jaccard 0.8 with probability
# 0.95 (datasketch's optimum for 0.8, 5 bands of 11, only 0.36: it missed copies of Jaccard 0.84);
# the extra candidates are cheap, every pair is confirmed on the exact sets.
BANDS, ROWS = 10, 6
JACCARD = 0.8
CONTAINMENT = 0.9
MIN_CHARS = 80  # shorter texts are compared exactly only: a few shared phrases are not a reprint
MIN_PART_CHARS = 200  # a partial copy must be this long (a shared sentence is not a continuation page)
SAMPLE_BITS = 4  # partial copies: shingles whose hash is 0 mod 2**SAMPLE_BITS are indexed
COMMON = 50  # a sampled shingle in more texts than this is boilerplate, not evidence
CHUNK = 1_000  # texts hashed at a time: bounds memory (~60 MB of arrays), and is faster than larger chunks

# Columns of the sketches table (internal: read by dedupe, kept in the build cache, never written out)
CORE, CHARS, SIGNATURE, SHINGLES, SAMPLED = "core_digest", "chars", "signature", "shingles", "sampled"

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_U64 = np.uint64
_VALUE_BITS = 64 - 6  # the top 6 bits of a hash pick one of the 64 buckets
_EMPTY = np.iinfo(np.uint64).max


def core_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every text's characters without spaces and punctuation (its core), as code points
    concatenated, and each core's (start, end) in that array: numpy over all texts at once
    instead of a regular expression per text."""
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    ends = np.cumsum(lengths)
    kept = _is_word(points)
    before = np.r_[0, np.cumsum(kept, dtype=np.int64)]  # kept characters before each position
    return points[kept], np.stack([before[ends - lengths], before[ends]], axis=1)


def _is_word(points: np.ndarray) -> np.ndarray:
    """Whether each code point belongs to a core (is not a space, punctuation or `_`), judged
    once per distinct character."""
    if not len(points):
        return np.zeros(0, dtype=bool)
    table = np.zeros(int(points.max()) + 1, dtype=bool)
    for c in np.flatnonzero(np.bincount(points)).tolist():
        table[c] = not _NOISE.match(chr(c))
    return table[points]


def _mix(h: np.ndarray) -> np.ndarray:
    """Spread polynomial-hash values over all 64 bits (Fibonacci hashing plus a fold), in place."""
    h *= _U64(0x9E3779B97F4A7C15)
    h ^= h >> _U64(29)
    return h


def shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit hash of every 5-character shingle of every text's core (spaces and punctuation
    dropped), concatenated, and each text's (start, end) in that array."""
    points, cores = core_points(texts)
    return _shingles(points, cores[:, 1] - cores[:, 0])


def _shingles(points: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`shingle_hashes` of cores given as concatenated code points and their lengths."""
    ends = np.cumsum(lengths)
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    bounds = np.zeros((len(lengths), 2), dtype=np.int64)
    bounds[:, 1] = np.cumsum(counts)
    bounds[:, 0] = bounds[:, 1] - counts
    if not counts.sum():
        return np.zeros(0, dtype=_U64), bounds
    points = points.astype(_U64)
    width = len(points) - SHINGLE + 1
    rolling = points[:width].copy()
    for k in range(1, SHINGLE):
        rolling *= _U64(1_000_003)
        rolling += points[k: k + width]
    inside = np.ones(len(points), dtype=bool)  # a shingle must start and end in one text
    for k in range(1, SHINGLE):
        inside[(ends - k)[ends - k >= ends - lengths]] = False
    return _mix(rolling[inside[:width]]), bounds


def signatures(hashes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """One-permutation MinHash (Li, Owen & Zhang 2012) with densification by rotation
    (Shrivastava 2017): one pass over the shingles instead of one per permutation."""
    n = len(bounds)
    counts = bounds[:, 1] - bounds[:, 0]
    text_of = np.repeat(np.arange(n), counts)
    bucket = (hashes >> _U64(_VALUE_BITS)).astype(np.int64)
    flat = np.full(n * NUM_PERM, _EMPTY, dtype=_U64)
    np.minimum.at(flat, text_of * NUM_PERM + bucket, hashes & _U64((1 << _VALUE_BITS) - 1))
    raw = flat.reshape(n, NUM_PERM)
    empty = raw == _EMPTY
    dense = raw.copy()
    missing = empty & ~empty.all(axis=1, keepdims=True)
    for step in range(1, NUM_PERM):  # an empty bucket borrows from the next filled one
        if not missing.any():
            break
        take = missing & ~np.roll(empty, -step, axis=1)
        dense[take] = np.roll(raw, -step, axis=1)[take] + _U64(step << _VALUE_BITS)
        missing &= ~take
    return dense


@dataclass(frozen=True)
class Sketch:
    """What duplicate detection needs of each text, computed once per text: the digest of its
    core (exact copies), its MinHash signature (near copies), its number of shingles, and its
    sampled shingle hashes with the text each belongs to (partial copies)."""

    digests: list[bytes]
    lengths: np.ndarray  # characters of each text (the longest copy is kept)
    signatures: np.ndarray  # (texts, NUM_PERM) uint64
    shingles: np.ndarray  # per text
    sampled: np.ndarray  # concatenated, texts in order
    owners: np.ndarray  # the text of each sampled hash


def sketch(texts: list[str]) -> Sketch:
    """The sketch of the texts, computed a chunk of texts at a time so that memory stays bounded
    at any corpus size (the cores are not kept)."""
    n = len(texts)
    digests: list[bytes] = []
    sigs = np.empty((n, NUM_PERM), dtype=_U64)
    counts = np.zeros(n, dtype=np.int64)
    sampled, owners = [], []
    for first in range(0, n, CHUNK):
        points, cores = core_points(texts[first: first + CHUNK])
        digests += [hashlib.blake2b(points[a:b].tobytes(), digest_size=12).digest() for a, b in cores.tolist()]
        hashes, bounds = _shingles(points, cores[:, 1] - cores[:, 0])
        sigs[first: first + len(bounds)] = signatures(hashes, bounds)
        counts[first: first + len(bounds)] = bounds[:, 1] - bounds[:, 0]
        positions = np.flatnonzero((hashes & _U64((1 << SAMPLE_BITS) - 1)) == 0)
        sampled.append(hashes[positions])
        owners.append(first + np.searchsorted(bounds[:, 1], positions, side="right"))
    return Sketch(digests, np.array([len(t) for t in texts], dtype=np.int64), sigs, counts,
                  np.concatenate(sampled or [np.zeros(0, _U64)]), np.concatenate(owners or [np.zeros(0, np.int64)]))


def sketch_table(stories: pd.DataFrame) -> pd.DataFrame:
    """The sketches stage: one row per story (its doc_path, article_id and sketch as bytes).
    A story's sketch depends on its text alone, so this stage runs page by page, in parallel, and
    a rebuild takes an unchanged page's sketches from the cache instead of hashing every story."""
    found = sketch(stories[Col.text].tolist())
    ends = np.searchsorted(found.owners, np.arange(1, len(stories)))  # owners ascend: each story's run of sampled hashes
    return pd.DataFrame({
        Col.doc_path: stories[Col.doc_path].to_numpy(),
        Col.article_id: stories[Col.article_id].to_numpy(),
        CORE: found.digests,
        CHARS: found.lengths.astype(np.int32),
        SIGNATURE: [row.tobytes() for row in found.signatures],
        SHINGLES: found.shingles.astype(np.int32),
        SAMPLED: [part.tobytes() for part in np.split(found.sampled, ends)] if len(stories) else [],
    })


def _sketch_of(sketches: pd.DataFrame, article_ids: list[str]) -> Sketch:
    """The sketch of the given stories, in that order, from the sketches table."""
    rows = pd.Index(sketches[Col.article_id]).get_indexer(article_ids)
    if (rows < 0).any():
        raise ValueError(f"{int((rows < 0).sum())} stories have no sketch")
    sampled = sketches[SAMPLED].to_numpy()[rows]
    counts = np.array([len(b) // 8 for b in sampled], dtype=np.int64)
    return Sketch(
        sketches[CORE].to_numpy()[rows].tolist(),
        sketches[CHARS].to_numpy()[rows].astype(np.int64),
        np.frombuffer(b"".join(sketches[SIGNATURE].to_numpy()[rows]), dtype=_U64).reshape(len(rows), NUM_PERM),
        sketches[SHINGLES].to_numpy()[rows].astype(np.int64),
        np.frombuffer(b"".join(sampled), dtype=_U64),
        np.repeat(np.arange(len(rows), dtype=np.int64), counts),
    )


class _Sets:
    """Exact shingle sets, built on demand to confirm candidate pairs."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts, self.cache = texts, {}

    def __getitem__(self, i: int) -> np.ndarray:
        if i not in self.cache:
            self.cache[i] = np.unique(shingle_hashes([self.texts[i]])[0])
        return self.cache[i]

    def overlap(self, i: int, j: int) -> tuple[float, float]:
        """(Jaccard, containment of the smaller set in the larger)."""
        a, b = self[i], self[j]
        shared = len(np.intersect1d(a, b, assume_unique=True))
        union = len(a) + len(b) - shared
        return (shared / union if union else 0.0), (shared / min(len(a), len(b)) if min(len(a), len(b)) else 0.0)


def _near_pairs(sigs: np.ndarray, candidates: list[int]) -> list[tuple[int, int]]:
    """Pairs whose signatures collide in a MinHash LSH band (Jaccard likely ≥ JACCARD), found
    with numpy (datasketch's import alone, which loads scipy, took longer than this)."""
    ids = np.asarray(candidates, dtype=np.int64)
    pairs: set[tuple[int, int]] = set()
    for band in range(BANDS):
        values = np.ascontiguousarray(sigs[ids, band * ROWS:(band + 1) * ROWS])
        _, group = np.unique(values.view(np.dtype((np.void, values.dtype.itemsize * ROWS))).ravel(), return_inverse=True)
        shared = np.bincount(group)[group] > 1  # most texts collide with none: split only the others
        members_of, group = ids[shared], group[shared]
        order = np.argsort(group, kind="stable")
        starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
        for members in np.split(members_of[order], starts[1:]) if len(order) else ():
            # candidates are ascending: (earlier, later) as the index gave them
            pairs.update((int(a), int(b)) for k, a in enumerate(members) for b in members[k + 1:])
    return sorted(pairs)


def _part_pairs(values: np.ndarray, text_of: np.ndarray, candidates: list[int], n: int) -> list[tuple[int, int]]:
    """Pairs of candidate texts (of `n`) sharing at least 70 % of the smaller one's sampled shingles."""
    wanted = np.zeros(n, dtype=bool)
    wanted[candidates] = True
    keep = wanted[text_of]
    values, text_of = values[keep], text_of[keep]
    if not len(values):
        return []
    order = np.argsort(values, kind="stable")  # texts stay in ascending order within a value
    values, text_of = values[order], text_of[order]
    single = np.r_[True, (values[1:] != values[:-1]) | (text_of[1:] != text_of[:-1])]  # one entry per (shingle, text)
    values, text_of = values[single], text_of[single]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    # Boilerplate shingles count neither for nor against a pair.
    rare = np.repeat(sizes <= COMMON, sizes)
    samples = np.bincount(text_of[rare], minlength=n)
    keys = []
    for size in range(2, COMMON + 1):  # all shingles shared by `size` texts at once
        firsts = starts[sizes == size]
        if not len(firsts):
            continue
        members = text_of[firsts[:, None] + np.arange(size)]
        left, right = np.triu_indices(size, 1)
        keys.append((members[:, left] * n + members[:, right]).ravel())
    if not keys:
        return []
    pair_keys, shared = np.unique(np.concatenate(keys), return_counts=True)
    a, b = pair_keys // n, pair_keys % n
    likely = shared >= 0.7 * np.minimum(samples[a], samples[b])
    return list(zip(a[likely].tolist(), b[likely].tolist()))


def duplicate_groups(texts: Sequence[str], sketched: Sketch) -> list[int]:
    """For each text, the index of the text kept for its group (itself when unique). Texts are
    given in order of preference: the first of equally long copies is kept. `sketched`: their
    `sketch`, in the same order. Only the texts of candidate pairs are read from `texts`."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    sigs, sizes, lengths = sketched.signatures, sketched.shingles, sketched.lengths.tolist()
    first_of: dict[bytes, int] = {}
    for i, digest in enumerate(sketched.digests):
        union(first_of.setdefault(digest, i), i)
    distinct = [i for i in range(len(texts)) if root(i) == i]
    near = [i for i in distinct if sizes[i] >= MIN_CHARS - SHINGLE + 1]
    part = [i for i in distinct if sizes[i] >= MIN_PART_CHARS - SHINGLE + 1]
    sets = _Sets(texts)
    for i, j in _near_pairs(sigs, near) + _part_pairs(sketched.sampled, sketched.owners, part, len(texts)):
        if root(i) == root(j):
            continue
        jaccard, contained = sets.overlap(i, j)
        if jaccard >= JACCARD or contained >= CONTAINMENT:
            union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    keep = list(range(len(texts)))
    for members in groups.values():
        best = max(members, key=lambda i: (lengths[i], -i))
        for i in members:
            keep[i] = best
    return keep


class _InOrder(Sequence):
    """A column's values in the given row order, read one at a time."""

    def __init__(self, values, order: np.ndarray) -> None:
        self.values, self.order = values, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, i: int) -> str:
        return self.values[self.order[i]]


def dedupe(articles: pd.DataFrame, sketches: pd.DataFrame) -> pd.DataFrame:
    """Collapse copies into one article; fill n_copies, copy_paths (the kept copy first) and
    copy_sources. `sketches`: the stories' `sketch_table`."""
    if articles.empty:
        return articles.copy()
    # Rows in order of preference: the order of the sort keys alone (not a sorted copy of every
    # story's text, the largest thing a build holds at that point).
    keys = articles[[Col.date, Col.doc_path, Col.story]].reset_index(drop=True)
    order = keys.sort_values(list(keys.columns), na_position="last", kind="stable").index.to_numpy()
    ids = articles[Col.article_id].tolist()
    texts = _InOrder(articles[Col.text].array, order)  # not a Python copy of every story: only candidates are read
    group = np.asarray(duplicate_groups(texts, _sketch_of(sketches, [ids[i] for i in order])))
    kept = np.flatnonzero(group == np.arange(len(order)))
    keep = articles.iloc[order[kept]].reset_index(drop=True)
    members: dict[int, list[int]] = {}  # kept row → its copies, in date order
    for i, best in enumerate(group.tolist()):
        members.setdefault(best, []).append(i)
    copies = [members[i] for i in kept.tolist()]
    paths = articles[Col.doc_path].to_numpy()[order].tolist()
    sources = articles[Col.source].to_numpy()[order].tolist()
    # The whole article is kept, dated by its first publication: copies are in date order.
    first = order[[rows[0] for rows in copies]]
    for column in (Col.date, Col.date_precision, Col.date_origin):
        keep[column] = articles[column].to_numpy()[first]
    keep[Col.n_copies] = [len(rows) for rows in copies]
    keep[Col.copy_paths] = [[paths[i]] + [paths[j] for j in rows if j != i] for i, rows in zip(kept.tolist(), copies)]
    keep[Col.copy_sources] = [list(dict.fromkeys(sources[j] for j in [i, *rows] if isinstance(sources[j], str)))
                              for i, rows in zip(kept.tolist(), copies)]
    return keep.sort_values([Col.doc_path, Col.story], kind="stable").reset_index(drop=True)
