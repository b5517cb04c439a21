"""Places against the hand labels (benchmarks/eval/labels.jsonl), with two baselines in the same run.

Builds the labelled files (the seeds, and the labelled rmrb-governance files) with the pipeline's
own stages — read, split, places — and joins stories to labels by file and story index, or by
title when a page split differently. For every story it compares
- the primary city: the `city` of the `is_primary` row (none for a province-level or no primary
  row) against `primary_city` (null = national, province-level or scattered);
- the set of subject cities: the distinct `city` values of `subject` rows against `cities`.
It prints primary-city accuracy (over all stories, and over those with a labelled city) and
micro precision / recall / F1 of the city sets, for
- govlens (this pipeline);
- longest-match: one leftmost-longest pass over the gazetteer's names and aliases, no false
  friends, no word alignment, no context; an ambiguous name takes its largest unit (吉林 → 吉林省);
  the primary city is the most-named city;
- cpca and jionlp, when installed in `--venv` (a scratch venv; `pip install cpca jionlp`): every
  address they find counts, the primary city is the most-named one.

    .venv/bin/python benchmarks/eval_places.py [--shared ../shared/corpus] [--venv /tmp/cpca-venv] [--errors]

`--errors` lists every story where govlens is wrong, with the mentions behind each wrong city.
`--audit N --corpus DIR` prints N random subject mentions from DIR with their context instead, to
judge by reading how many are not places at all (the false-positive rate of recognition). Tuning
is done on rmrb-governance files that are NOT in the labels, so the figures here stay held out.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import io  # noqa: E402
from pipeline.articles import documents_frame, split_articles  # noqa: E402
from pipeline.places import find_mentions, places_table  # noqa: E402
from pipeline.schema import Col  # noqa: E402
from benchmarks import bootstrap  # noqa: E402

LABELS = ROOT / "benchmarks" / "eval" / "labels.jsonl"

# Runs inside the scratch venv: reads {id: text} on stdin, writes {id: [[province, city, n], ...]}
# to the file named by its second argument (jionlp prints a banner on stdout).
_EXTERNAL = r"""
import json, sys, collections
tool, target, texts = sys.argv[1], sys.argv[2], json.load(sys.stdin)
out = {}
if tool == "cpca":
    import cpca
    for key, text in texts.items():
        try:
            frame = cpca.transform_text_with_addrs(text)
        except KeyError:  # cpca 0.5.5 raises on a text holding no address at all
            frame = {"省": [], "市": []}
        found = collections.Counter()
        for province, city in zip(frame["省"], frame["市"]):
            if isinstance(province, str) and province:
                found[(province, city if isinstance(city, str) and city else None)] += 1
        out[key] = [[p, c, n] for (p, c), n in found.items()]
else:
    import jionlp
    for key, text in texts.items():
        found = jionlp.recognize_location(text)["domestic"] or []
        out[key] = [[loc.get("province"), loc.get("city"), n] for loc, n in found]
with open(target, "w", encoding="utf-8") as handle:
    json.dump(out, handle, ensure_ascii=False)
"""
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_stories(corpus_root: Path, doc_paths: set[str], resources):
    """The stories of the labelled files (split, not deduplicated: every labelled story stays)."""
    read = io.read_inputs([corpus_root], resources.fields)
    docs = documents_frame(read.documents)
    docs = docs[docs[Col.doc_path].isin(doc_paths)]
    return split_articles(docs, resources.patterns, resources.sources, corpus_root.name).reset_index(drop=True)


def match_story(label: dict, stories) -> str | None:
    """The article id of a labelled story: same file and index with a fitting title, else the story
    of that file whose title holds the label's (or the reverse)."""
    same_file = stories[stories[Col.doc_path] == label["doc_path"]]
    title = label["title"].strip()

    def fits(candidate: str) -> bool:
        return bool(candidate.strip()) and (title in candidate or candidate.strip() in title)

    by_index = same_file[same_file[Col.story] == label["story"]]
    if len(by_index) and fits(by_index.iloc[0][Col.title]):
        return by_index.iloc[0][Col.article_id]
    fitting = same_file[same_file[Col.title].map(fits)]
    return fitting.iloc[0][Col.article_id] if len(fitting) else None


def govlens(stories, places) -> dict[str, tuple[str | None, set[str]]]:
    subject = places[places[Col.role] == "subject"]
    out = {}
    for aid in stories[Col.article_id]:
        rows = subject[subject[Col.article_id] == aid]
        primary = rows[rows[Col.is_primary]]
        city = primary.iloc[0][Col.city] if len(primary) else None
        out[aid] = (city if isinstance(city, str) else None, set(rows[Col.city].dropna()))
    return out


def longest_match(texts: dict[str, str], gaz) -> dict[str, tuple[str | None, set[str]]]:
    import ahocorasick_rs

    names = sorted(gaz.names)
    matcher = ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    out = {}
    for aid, text in texts.items():
        cities: Counter = Counter()
        for index, _, _ in matcher.find_matches_as_indexes(text):
            candidates = [gaz.divisions[c.adcode] for c in gaz.names[names[index]]]
            division = min(candidates, key=lambda d: (d.level != "province", d.level != "city", d.adcode))
            if division.city_code:
                cities[gaz.divisions[division.city_code].name] += 1
        out[aid] = _from_counts(cities)
    return out


def external(tool: str, texts: dict[str, str], venv: Path) -> dict[str, tuple[str | None, set[str]]] | str:
    """Predictions of cpca or jionlp run in the scratch venv, or why they could not be run."""
    python = venv / "bin" / "python"
    if not python.exists():
        return f"skipped: no venv at {venv} (python3.11 -m venv {venv} && {venv}/bin/pip install cpca jionlp)"
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "found.json"
        done = subprocess.run([str(python), "-c", _EXTERNAL, tool, str(target)], input=json.dumps(texts, ensure_ascii=False),
                              capture_output=True, text=True, encoding="utf-8")
        if done.returncode:
            return f"skipped: {tool} failed: {done.stderr.strip().splitlines()[-1:]}"
        found_by_id = json.loads(target.read_text(encoding="utf-8"))
    out = {}
    for aid, found in found_by_id.items():
        cities: Counter = Counter()
        for province, city, n in found:
            city = province if province in MUNICIPALITIES else city
            if city:
                cities[city] += n
        out[aid] = _from_counts(cities)
    return out


def _from_counts(cities: Counter) -> tuple[str | None, set[str]]:
    ranked = cities.most_common()
    return (ranked[0][0] if ranked else None), set(cities)


def score(keys: list[tuple], gold: dict, predicted: dict) -> dict:
    """Primary-city accuracy and city-set precision, recall and F1, each with a 95 % bootstrap
    interval over the stories."""
    local = [k for k in keys if gold[k][0]]
    per_story = np.array([(len(predicted[k][1] & gold[k][1]), len(predicted[k][1] - gold[k][1]), len(gold[k][1] - predicted[k][1]),
                           predicted[k][0] == gold[k][0], 1) for k in keys])
    tp, fp, fn, right, _ = per_story.sum(axis=0)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"primary": right / len(keys), "primary_local": sum(predicted[k][0] == gold[k][0] for k in local) / len(local),
            "p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": int(tp), "fp": int(fp), "fn": int(fn),
            "f1_interval": bootstrap.interval(per_story, bootstrap.f1),
            "primary_interval": bootstrap.interval(per_story[:, 3:], bootstrap.share)}


def audit(corpus: Path, n: int, resources, seed: int) -> None:
    """Print n random subject mentions of the corpus with their context, to be judged by reading."""
    files = sorted(corpus.rglob("*.txt"))
    stories = build_stories(corpus, {str(f.relative_to(corpus)) for f in files}, resources)
    rng = random.Random(seed)
    pool = []
    for row in stories.itertuples(index=False):
        text = f"{row.title}\n{row.text}"
        for m in find_mentions(text, resources.gazetteer, resources.segmenter):
            if m.role == "subject":
                pool.append((row.doc_path, m, text))
    print(f"{len(pool)} subject mentions in {len(stories)} stories; a sample of {n}:")
    for doc_path, m, text in rng.sample(pool, min(n, len(pool))):
        d = resources.gazetteer.divisions[m.adcode]
        context = text[max(0, m.start - 12):m.end + 12].replace("\n", " ")
        print(f"{doc_path}\t{m.name}\t{d.name} ({d.city or d.province})\t{context}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/cpca-venv"), help="scratch venv holding cpca and jionlp")
    parser.add_argument("--errors", action="store_true", help="list the stories where govlens is wrong")
    parser.add_argument("--audit", type=int, metavar="N", help="print N random subject mentions of --corpus instead")
    parser.add_argument("--corpus", type=Path, help="folder for --audit")
    parser.add_argument("--seed", type=int, default=1, help="random seed for --audit")
    args = parser.parse_args(argv)

    resources = io.load_resources()
    if args.audit:
        audit(args.corpus, args.audit, resources, args.seed)
        return 0
    labels = load_labels()
    gold, texts, ids, predicted = {}, {}, {}, {"govlens": {}, "longest-match": {}}
    places_by_id = {}
    for corpus in sorted({lab["corpus"] for lab in labels}):
        mine = [lab for lab in labels if lab["corpus"] == corpus]
        stories = build_stories(args.shared / corpus, {lab["doc_path"] for lab in mine}, resources)
        places = places_table(stories, resources.gazetteer, resources.segmenter, resources.homes)
        ours = govlens(stories, places)
        corpus_texts = {row.article_id: f"{row.title}\n{row.text}" for row in stories.itertuples(index=False)}
        plain = longest_match(corpus_texts, resources.gazetteer)
        for label in mine:
            aid = match_story(label, stories)
            if aid is None:
                raise SystemExit(f"labelled story not found in the build: {label['doc_path']}#{label['story']} {label['title']}")
            key = (corpus, label["doc_path"], label["story"])
            gold[key] = (label["primary_city"], set(label["cities"]))
            texts[key], ids[key] = corpus_texts[aid], aid
            predicted["govlens"][key], predicted["longest-match"][key] = ours[aid], plain[aid]
            places_by_id[key] = places[places[Col.article_id] == aid]
    keyed_texts = {str(i): texts[k] for i, k in enumerate(gold)}
    notes = {}
    for tool in ("cpca", "jionlp"):
        result = external(tool, keyed_texts, args.venv)
        if isinstance(result, str):
            notes[tool] = result
        else:
            predicted[tool] = {k: result[str(i)] for i, k in enumerate(gold)}

    keys = list(gold)
    local = sum(1 for k in keys if gold[k][0])
    print(f"{len(keys)} labelled stories ({local} with a primary city), "
          f"{sum(len(g[1]) for g in gold.values())} labelled subject cities")
    print(f"{'method':14} {'primary':>8} {'(local)':>8} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn   95% interval: primary, F1")
    for method, pred in predicted.items():
        s = score(keys, gold, pred)
        print(f"{method:14} {s['primary']:8.3f} {s['primary_local']:8.3f} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f}  "
              f"{s['tp']:3d} {s['fp']:3d} {s['fn']:3d}   {s['primary_interval'][0]:.3f}–{s['primary_interval'][1]:.3f}, "
              f"{s['f1_interval'][0]:.3f}–{s['f1_interval'][1]:.3f}")
    print(f"(intervals: {bootstrap.RESAMPLES:,} bootstrap resamples of the stories)")
    for tool, note in notes.items():
        print(f"{tool}: {note}")
    if args.errors:
        show_errors(keys, gold, predicted["govlens"], texts, places_by_id, resources)
    return 0


def show_errors(keys, gold, predicted, texts, places_by_id, resources) -> None:
    for key in keys:
        (gold_primary, gold_cities), (primary, cities) = gold[key], predicted[key]
        if gold_primary == primary and gold_cities == cities:
            continue
        print(f"\n{key[1]}#{key[2]} {texts[key].splitlines()[0][:40]}")
        if gold_primary != primary:
            print(f"  primary: gold {gold_primary}, got {primary}")
        rows = places_by_id[key]
        for city in sorted(cities - gold_cities):
            found = rows[(rows[Col.city] == city) & (rows[Col.role] == "subject")]
            print(f"  FP {city}: " + ", ".join(f"{r.county or r.city or r.province}×{r.mentions}" for r in found.itertuples()))
        for city in sorted(gold_cities - cities):
            print(f"  FN {city}")


if __name__ == "__main__":
    sys.exit(main())
