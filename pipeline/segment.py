"""The one wrapper around the word segmenter.

`rjieba` (the binding of jieba-rs) segments ~20x faster than `jieba` with the same dictionary and
nearly always the same tokens (measured in tests/test_segment.py); `jieba` is the reference and
the fallback when rjieba is not installed. The governance user dictionary applies to both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

try:
    import rjieba as _rjieba
except ImportError:  # pragma: no cover - exercised only where the wheel is unavailable
    _rjieba = None


@dataclass(frozen=True)
class Segmenter:
    engine: str  # "rjieba" | "jieba"
    user_words: tuple[tuple[str, int | None, str | None], ...] = ()

    def cut(self, text: str) -> list[str]:
        return _cut(self, text)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs, jieba's tag set."""
        return _tag(self, text)

    @cached_property
    def backend(self):
        """The loaded dictionary, kept on the instance: looking it up by this (hashed) value at
        every call cost as much as segmenting the short windows place recognition cuts."""
        return _backend(self)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "backend"}  # a dictionary is rebuilt, not pickled


# Loaded dictionaries by segmenter, the most recently used last. Each user dictionary edited in the
# app is a segmenter of its own: past MAX_LOADED, the least recently used one is dropped (a
# segmenter still alive keeps its own in `backend`; one looked up again is rebuilt).
MAX_LOADED = 4
_LOADED: dict[Segmenter, object] = {}
_LOADED_LOCK = threading.Lock()


def _backend(seg: Segmenter):
    """Build the segmenter's dictionary once per process (workers build their own)."""
    with _LOADED_LOCK:  # the dashboard segments in several session threads
        if seg in _LOADED:
            _LOADED[seg] = _LOADED.pop(seg)
            return _LOADED[seg]
        while len(_LOADED) >= MAX_LOADED:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[seg] = backend = _load_dictionary(seg)
        return backend


def _load_dictionary(seg: Segmenter):
    if seg.engine == "rjieba":
        backend = _rjieba.Jieba()
        for word, freq, tag in seg.user_words:
            backend.add_word(word, freq, tag)
        return backend
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for word, freq, tag in seg.user_words:
        tokenizer.add_word(word, freq, tag)
    return tokenizer, jieba.posseg.POSTokenizer(tokenizer)


def _cut(seg: Segmenter, text: str) -> list[str]:
    backend = seg.backend
    return backend.cut(text) if seg.engine == "rjieba" else backend[0].lcut(text)


def _tag(seg: Segmenter, text: str) -> list[tuple[str, str]]:
    backend = seg.backend
    if seg.engine == "rjieba":
        return backend.tag(text)
    return [(p.word, p.flag) for p in backend[1].lcut(text)]


def make_segmenter(user_words: Iterable[tuple[str, int | None, str | None]], engine: str = "auto") -> Segmenter:
    """`engine`: "auto" (rjieba when installed), "rjieba" or "jieba"."""
    if engine == "auto":
        engine = "rjieba" if _rjieba is not None else "jieba"
    if engine == "rjieba" and _rjieba is None:
        raise RuntimeError("rjieba is not installed; use --segmenter jieba")
    return Segmenter(engine, tuple(user_words))


def parse_user_dictionary(text: str) -> list[tuple[str, int | None, str | None]]:
    """jieba's user-dictionary format: `word [freq] [tag]` per line, `#` comments."""
    words = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        words.append((parts[0], freq, tag))
    return words
