"""Theme assignment against the hand labels (benchmarks/eval/labels.jsonl).

Builds the labelled corpora (seeds, rmrb-governance) with the pipeline's own stages — read,
split, theme — joins stories to labels by corpus, doc_path and story index (or, when a page split
differently, by title containment), and prints per-theme precision, recall and F1 and the micro-F1
over the five core themes and over all themes.

    .venv/bin/python benchmarks/eval_themes.py [--shared ../shared/corpus] [--errors]

`--errors` lists every false positive and false negative with the matched terms, to see why.
Tuning the term lists is done on rmrb-governance files that are NOT in the labels
(`--tuning` prints the theme counts of those), so the figures here stay a held-out measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import io  # noqa: E402
from pipeline.articles import documents_frame, split_articles  # noqa: E402
from pipeline.schema import Col  # noqa: E402
from pipeline.themes import themes_table  # noqa: E402
from benchmarks import bootstrap  # noqa: E402

CORE = ("business_environment", "government_services", "community_services", "grassroots_governance", "rural_improvement")
LABELS = ROOT / "benchmarks" / "eval" / "labels.jsonl"


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_stories(corpus_root: Path, resources) -> tuple:
    """Articles (split, not deduplicated: every labelled story must stay) and their themes."""
    read = io.read_inputs([corpus_root], resources.fields)
    docs = documents_frame(read.documents)
    stories = split_articles(docs, resources.patterns, resources.sources, "")
    return stories, themes_table(stories, resources.taxonomy)


def match_story(label: dict, stories) -> str | None:
    """The article id of the labelled story: same file and index with a matching title, else the
    story of that file whose title contains the label's (or the reverse)."""
    same_file = stories[stories[Col.doc_path] == label["doc_path"]]
    if same_file.empty:
        return None
    title = label["title"].strip()

    def fits(candidate: str) -> bool:
        candidate = candidate.strip()
        return bool(candidate) and (title in candidate or candidate in title)

    by_index = same_file[same_file[Col.story] == label["story"]]
    if len(by_index) and fits(by_index.iloc[0][Col.title]):
        return by_index.iloc[0][Col.article_id]
    fitting = same_file[same_file[Col.title].map(fits)]
    if len(fitting):
        return fitting.iloc[0][Col.article_id]
    return by_index.iloc[0][Col.article_id] if len(by_index) else None


def evaluate(labels: list[dict], predicted: dict[tuple, set[str]], theme_ids: list[str]) -> dict:
    """Per-theme true/false positives and negatives over the labelled stories."""
    counts = {t: Counter() for t in theme_ids}
    for label in labels:
        gold = set(label["themes"])
        pred = predicted.get((label["corpus"], label["doc_path"], label["story"]), set())
        for t in theme_ids:
            counts[t]["tp"] += t in gold and t in pred
            counts[t]["fp"] += t not in gold and t in pred
            counts[t]["fn"] += t in gold and t not in pred
    return counts


def per_story_counts(labels: list[dict], predicted: dict[tuple, set[str]], theme_ids) -> list[tuple[int, int, int]]:
    """(tp, fp, fn) of each labelled story over the given themes."""
    rows = []
    for label in labels:
        gold = set(label["themes"]) & set(theme_ids)
        pred = predicted.get((label["corpus"], label["doc_path"], label["story"]), set()) & set(theme_ids)
        rows.append((len(gold & pred), len(pred - gold), len(gold - pred)))
    return rows


def prf(c: Counter) -> tuple[float, float, float]:
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--errors", action="store_true", help="list every false positive and negative")
    parser.add_argument("--tuning", action="store_true", help="print theme counts and examples on the UNLABELLED rmrb-governance files")
    args = parser.parse_args(argv)

    resources = io.load_resources()
    labels = load_labels()
    theme_ids = resources.taxonomy.ids
    predicted: dict[tuple, set[str]] = {}
    evidence: dict[tuple, dict[str, list[str]]] = {}
    unmatched = []
    for corpus in sorted({lab["corpus"] for lab in labels}):
        stories, themes = build_stories(args.shared / corpus, resources)
        by_article = {aid: dict(zip(g[Col.theme], g[Col.matched_terms])) for aid, g in themes.groupby(Col.article_id)}
        labelled_paths = {lab["doc_path"] for lab in labels if lab["corpus"] == corpus}
        for label in (lab for lab in labels if lab["corpus"] == corpus):
            aid = match_story(label, stories)
            key = (corpus, label["doc_path"], label["story"])
            if aid is None:
                unmatched.append(key)
                continue
            predicted[key] = set(by_article.get(aid, {}))
            evidence[key] = by_article.get(aid, {})
        if args.tuning and corpus == "rmrb-governance":
            held_out = stories[~stories[Col.doc_path].isin(labelled_paths)]
            tagged = themes[themes[Col.article_id].isin(held_out[Col.article_id])]
            print(f"tuning set: {len(held_out)} unlabelled articles")
            print(tagged[Col.theme].value_counts().to_string())

    counts = evaluate(labels, predicted, theme_ids)
    print(f"{len(labels)} labelled stories, {len(unmatched)} not found in the build: {unmatched}")
    print(f"{'theme':24} {'gold':>4} {'pred':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for t in theme_ids:
        c = counts[t]
        p, r, f = prf(c)
        print(f"{t + (' *' if t in CORE else ''):24} {c['tp'] + c['fn']:4d} {c['tp'] + c['fp']:4d} {p:6.3f} {r:6.3f} {f:6.3f}")
    for name, ids in (("core", CORE), ("all", theme_ids)):
        total = sum((counts[t] for t in ids), Counter())
        p, r, f = prf(total)
        low, high = bootstrap.interval(per_story_counts(labels, predicted, ids), bootstrap.f1)
        print(f"micro-F1 ({name}, {len(ids)} themes): {f:.3f}  (P {p:.3f}, R {r:.3f}; tp {total['tp']}, fp {total['fp']}, fn {total['fn']}; "
              f"95% interval {low:.3f}–{high:.3f} over {bootstrap.RESAMPLES:,} bootstrap resamples of the stories)")
    if args.errors:
        for label in labels:
            key = (label["corpus"], label["doc_path"], label["story"])
            gold, pred = set(label["themes"]), predicted.get(key, set())
            if gold != pred:
                print(f"\n{key} {label['title']}")
                for t in sorted(pred - gold):
                    print(f"  FP {t}: {', '.join(evidence[key][t][:8])}")
                for t in sorted(gold - pred):
                    print(f"  FN {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
