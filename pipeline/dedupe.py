"""Duplicates and reprints: exact copies by a normalised-text hash, near copies by MinHash LSH.

The People's Daily crawl repeats long articles on continuation pages and outlets reprint each
other; each group of copies becomes one article keeping `n_copies`, every path and every source.
The first copy in (date, doc_path, story) order is kept.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH

from pipeline.schema import Col

SHINGLE = 5
NUM_PERM = 64
THRESHOLD = 0.8
MIN_CHARS = 80  # shorter texts are compared exactly only: a few shared phrases are not a reprint

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def fingerprint(text: str) -> str:
    return hashlib.blake2b(_NOISE.sub("", text).encode(), digest_size=12).hexdigest()


def _minhash(text: str) -> MinHash:
    core = _NOISE.sub("", text)
    shingles = {core[i: i + SHINGLE].encode() for i in range(max(1, len(core) - SHINGLE + 1))}
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch(list(shingles))
    return mh


def duplicate_groups(texts: list[str]) -> list[int]:
    """For each text, the index of the first text it duplicates (itself when unique)."""
    group = list(range(len(texts)))
    first_of: dict[str, int] = {}
    for i, text in enumerate(texts):
        group[i] = first_of.setdefault(fingerprint(text), i)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, text in enumerate(texts):
        if group[i] != i or len(text) < MIN_CHARS:
            continue
        mh = _minhash(text)
        hits = [int(k) for k in lsh.query(mh)]
        if hits:
            group[i] = min(group[h] for h in hits)
        else:
            lsh.insert(str(i), mh)
    return group


def dedupe(articles: pd.DataFrame) -> pd.DataFrame:
    """Collapse copies into their first article; fill n_copies, copy_paths and copy_sources."""
    if articles.empty:
        return articles.copy()
    ordered = articles.sort_values([Col.date, Col.doc_path, Col.story], na_position="last", kind="stable").reset_index(drop=True)
    group = np.asarray(duplicate_groups(ordered[Col.text].tolist()))
    keep = ordered.loc[group == np.arange(len(ordered))].copy()
    members = pd.Series(np.arange(len(ordered))).groupby(group).agg(list)
    paths = ordered[Col.doc_path].tolist()
    sources = ordered[Col.source].tolist()
    keep[Col.n_copies] = [len(members[i]) for i in keep.index]
    keep[Col.copy_paths] = [[paths[j] for j in members[i]] for i in keep.index]
    keep[Col.copy_sources] = [list(dict.fromkeys(sources[j] for j in members[i] if isinstance(sources[j], str))) for i in keep.index]
    return keep.sort_values([Col.doc_path, Col.story], kind="stable").reset_index(drop=True)
