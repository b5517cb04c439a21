#!/usr/bin/env python3
"""Write the bad-input corpus: every kind of file a user may feed the build by mistake or malice.

    .venv/bin/python scripts/make_bad_corpus.py OUT            # CI size: 1,000 tiny files, a 5 MB line
    .venv/bin/python scripts/make_bad_corpus.py OUT --full     # 10,000 tiny files, a 50 MB line, bigger bombs

OUT must not exist or be empty; the corpus is generated, never committed. The script prints one
line per case: what the build must do with it (`read`: its articles are kept; `skipped`: it is
reported with a reason matching the pattern; `any`: either, but no crash). `tests/test_bad_input.py`
builds the corpus with the CLI and checks every expectation; docs/reliability.md lists the results.

Good content comes from the bundled seeds (data/raw), so "read" files hold real articles.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import stat
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"

# One traditional-Chinese paragraph (Big5 holds no simplified characters).
TRADITIONAL = ("長春經開區打造「經心辦」政務服務品牌，推進一網通辦改革。區政府表示，今年將繼續深化放管服改革，"
               "優化營商環境，讓企業和群眾辦事更加便利。記者從會上獲悉，全區已有一百多項事項實現網上辦理。\n\n")
HOSTILE_TITLES = (
    "<script>window.__pwned=1</script>政务服务",
    '<img src="/pwned-img" onerror="window.__pwned=1">一网通办',
    "[点击领奖](javascript:window.__pwned=1) ![](/pwned-md.png) **营商环境**",
)


@dataclass(frozen=True)
class Expect:
    case: str  # the case name (one case may write several files)
    path: str  # as the build reports it: relative to OUT, zip members as `a.zip/inner.txt`
    outcome: str  # read | skipped | any
    reason: str = ""  # regular expression the skip reason must match


@dataclass(frozen=True)
class Sizes:
    tiny_files: int = 1_000
    long_line_bytes: int = 5_000_000
    long_sentence_chars: int = 5_000
    bomb_bytes: int = 100_000_000  # expanded size of the zip bomb's member
    yaml_alias_levels: int = 9  # 9**9 copies of "lol" once expanded

    @classmethod
    def full(cls) -> Sizes:
        return cls(tiny_files=10_000, long_line_bytes=50 * 2**20, long_sentence_chars=100_000, bomb_bytes=2_000_000_000)


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]


def _article(index: int = 4) -> str:
    """A real one-story article (the seed with a repeated title line)."""
    return seed_texts()[index]


def _sentences() -> list[str]:
    return [s + "。" for text in seed_texts() for s in text.replace("\n", "").split("。") if len(s) > 20]


def _unique_body(k: int) -> str:
    """Eight seed sentences from all over the seeds, no other case uses together: a story that
    de-duplication keeps apart from the seeds and from the other cases."""
    sentences = _sentences()
    return "\n\n".join(sentences[((k * 8 + i) * 37) % len(sentences)] for i in range(8)) + "\n"


def _write(folder: Path, name: str | bytes, data: bytes | str) -> None:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# --- the cases: each writes its files into the corpus folder and returns what the build must do ---

def good_seeds(out: Path, sizes: Sizes) -> list[Expect]:
    for path in sorted(RAW.glob("*.txt")):
        _write(out, f"good/{path.name}", path.read_bytes())
    return [Expect("good_seeds", f"good/{p.name}", "read") for p in sorted(RAW.glob("*.txt"))]


def empty(out: Path, sizes: Sizes) -> list[Expect]:
    _write(out, "empty/empty.txt", b"")
    _write(out, "empty/whitespace.txt", b" \n\t\r\n  \n")
    return [Expect("empty", "empty/empty.txt", "skipped", "empty"),
            Expect("empty", "empty/whitespace.txt", "skipped", "empty")]


def binary(out: Path, sizes: Sizes) -> list[Expect]:
    rng = random.Random(12)
    _write(out, "binary/random.txt", rng.randbytes(65_536))
    _write(out, "binary/png_named.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4_000))
    text = _article().encode("utf-8")
    _write(out, "binary/nul_bytes.txt", text[:3000] + b"\x00\x00\x00\x00" + text[3000:])
    return [Expect("binary", "binary/random.txt", "skipped", "binary|undecodable"),
            Expect("binary", "binary/png_named.txt", "skipped", "binary|undecodable"),
            Expect("binary", "binary/nul_bytes.txt", "skipped", "binary|NUL")]


def truncated_utf8(out: Path, sizes: Sizes) -> list[Expect]:
    text = _article()
    text = text[: text.rindex("。") + 1]  # a download cut inside the final 。 (three bytes in UTF-8)
    _write(out, "encodings/truncated_utf8.txt", text.encode("utf-8")[:-1])
    return [Expect("truncated_utf8", "encodings/truncated_utf8.txt", "read")]


def legacy_encodings(out: Path, sizes: Sizes) -> list[Expect]:
    simplified = _article(1)
    _write(out, "encodings/gb18030.txt", simplified.encode("gb18030"))
    _write(out, "encodings/truncated_gb18030.txt", simplified.encode("gb18030") + "市".encode("gb18030")[:1])
    _write(out, "encodings/big5.txt", (TRADITIONAL * 4).encode("big5"))
    _write(out, "encodings/utf16le_no_bom.txt", simplified.encode("utf-16-le"))
    _write(out, "encodings/utf16be_no_bom.txt", simplified.encode("utf-16-be"))
    return [Expect("legacy_encodings", f"encodings/{n}", "read") for n in
            ("gb18030.txt", "truncated_gb18030.txt", "big5.txt", "utf16le_no_bom.txt", "utf16be_no_bom.txt")]


def long_line(out: Path, sizes: Sizes) -> list[Expect]:
    unit = "长春市推进一网通办改革，优化营商环境".encode("utf-8")
    path = out / "long/single_line.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # written in pieces: the full size is 50 MB
        for _ in range(sizes.long_line_bytes // len(unit)):
            handle.write(unit)
    return [Expect("long_line", "long/single_line.txt", "skipped", "single line|exceeds the limit")]


def long_sentences(out: Path, sizes: Sizes) -> list[Expect]:
    """Two huge paragraphs without sentence punctuation: costly for any pairwise text comparison."""
    rng = random.Random(7)
    chars = "长春市推进一网通办改革政务服务品牌优化营商环境记者获悉全区已有多项事项实现网上办理"
    paragraphs = ["".join(rng.choice(chars) for _ in range(sizes.long_sentence_chars)) for _ in range(2)]
    _write(out, "long/long_sentences.txt", "长春推进一网通办\n\n" + "\n\n".join(paragraphs) + "\n")
    return [Expect("long_sentences", "long/long_sentences.txt", "read")]


def many_lines(out: Path, sizes: Sizes) -> list[Expect]:
    phrases = [p for p in _article(2).replace("\n", "").replace("，", "。").split("。") if 4 <= len(p) <= 30]
    _write(out, "long/many_lines.txt", "\n".join(phrases[i % len(phrases)] + "。" for i in range(100_000)))
    return [Expect("many_lines", "long/many_lines.txt", "read")]


def front_matter(out: Path, sizes: Sizes) -> list[Expect]:
    body = _article()
    _write(out, "front/unclosed.md", "---\ntitle: 标题\ndate: 2024-05-18\n" + body)
    _write(out, "front/broken_yaml.md", "---\ntitle: [未闭合\n---\n" + body)
    _write(out, "front/not_a_mapping.md", "---\n- 一\n- 二\n---\n" + body)
    _write(out, "front/tab_indented.md", "---\ntitle: x\n\tdate: y\n---\n" + body)
    return [Expect("front_matter", "front/unclosed.md", "skipped", "never closed"),
            Expect("front_matter", "front/broken_yaml.md", "skipped", "YAML"),
            Expect("front_matter", "front/not_a_mapping.md", "skipped", "mapping"),
            Expect("front_matter", "front/tab_indented.md", "skipped", "YAML")]


def yaml_alias_bomb(out: Path, sizes: Sizes) -> list[Expect]:
    """A 700-byte front matter whose title expands to 9**9 words ("billion laughs")."""
    lines = ["---", "l0: &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for level in range(1, sizes.yaml_alias_levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    lines += [f"title: *l{sizes.yaml_alias_levels - 1}", "---", _article()]
    _write(out, "front/alias_bomb.md", "\n".join(lines))
    return [Expect("yaml_alias_bomb", "front/alias_bomb.md", "any")]


def surrogate_escapes(out: Path, sizes: Sizes) -> list[Expect]:
    """Escapes of lone UTF-16 surrogates: valid JSON and YAML syntax, but not storable text."""
    text = _article()
    _write(out, "escapes/surrogate.md", '---\ntitle: "\\ud800坏标题"\n---\n' + text)
    _write(out, "escapes/surrogate.json", '{"title": "\\ud800坏标题", "content": "\\udfff' + text.replace("\n", "\\n").replace('"', '\\"') + '"}')
    return [Expect("surrogate_escapes", "escapes/surrogate.md", "any"),
            Expect("surrogate_escapes", "escapes/surrogate.json", "any")]


def json_files(out: Path, sizes: Sizes) -> list[Expect]:
    text = _article()
    record = {"title": "政务服务标题", "date": "2024-05-18", "content": text}
    _write(out, "json/malformed.json", '{"title": "x", "content": "正文",')
    _write(out, "json/truncated_array.json", json.dumps([record, record], ensure_ascii=False)[:-40])
    _write(out, "json/deep_array.json", "[" * 100_000 + "]" * 100_000)
    _write(out, "json/deep_object.json", '{"a":' * 100_000 + "1" + "}" * 100_000)
    _write(out, "json/deep_field.json", json.dumps(record, ensure_ascii=False)[:-1] + ', "extra": ' + "[" * 900 + "]" * 900 + "}")
    _write(out, "json/scalars.json", "[1, \"二\", null, true]")
    _write(out, "json/no_text_field.json", json.dumps([{"title": "只有标题"}], ensure_ascii=False))
    _write(out, "json/nul_escape.json", json.dumps({"title": "标题\u0000", "content": text.replace("。", "。\u0000", 3)}, ensure_ascii=True))
    lines = [json.dumps(dict(record, title=f"记录{i}", content=text[i * 400:]), ensure_ascii=False) for i in range(4)]
    _write(out, "json/truncated.jsonl", "\n".join(lines)[:-50])
    return [Expect("json", "json/malformed.json", "skipped", "JSON"),
            Expect("json", "json/truncated_array.json", "skipped", "JSON"),
            Expect("json", "json/deep_array.json", "skipped", "JSON"),
            Expect("json", "json/deep_object.json", "skipped", "JSON"),
            Expect("json", "json/deep_field.json", "read"),
            Expect("json", "json/scalars.json", "skipped", "other than objects"),
            Expect("json", "json/no_text_field.json", "skipped", "text field"),
            Expect("json", "json/nul_escape.json", "read"),
            Expect("json", "json/truncated.jsonl", "read")]


def ragged_csv(out: Path, sizes: Sizes) -> list[Expect]:
    text = _article().replace('"', "'")
    rows = ["title,date,content", f'完整一行,2024-05-18,"{text}"', f'多出两列,2024-05-19,"{text[200:]}",多余,再多余',
            "缺少正文,2024-05-20", f',,"{text[400:]}"', ""]
    _write(out, "csv/ragged.csv", "\n".join(rows))
    return [Expect("ragged_csv", "csv/ragged.csv", "read")]


def hostile_text(out: Path, sizes: Sizes) -> list[Expect]:
    for i, title in enumerate(HOSTILE_TITLES):
        _write(out, f"hostile/front_{i}.md", f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
               f"source: {json.dumps(title, ensure_ascii=False)}\n---\n" + _unique_body(i) + title + "\n")
    escaped = "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    _write(out, "hostile/entities.html", f"<html><head><title>{escaped}标题</title></head><body>"
           + "".join(f"<p>{p}</p>" for p in _unique_body(3).split("\n") if p.strip()) + f"<p>{escaped}</p></body></html>")
    _write(out, "hostile/script_in_body.txt", "<script>window.__pwned=1</script>长春优化营商环境\n\n"
           + _unique_body(4) + "\n\n<img src=x onerror=\"window.__pwned=1\"> [链接](javascript:alert(1))\n")
    long_title = "长春市优化营商环境" + "很长的标题" * 600
    _write(out, "hostile/long_lines.md", f"---\ntitle: {long_title}\n---\n" + _unique_body(5) + "营商环境" * 50_000 + "。\n")
    return [Expect("hostile_text", f"hostile/front_{i}.md", "read") for i in range(len(HOSTILE_TITLES))] + [
        Expect("hostile_text", f"hostile/{name}", "read") for name in ("entities.html", "script_in_body.txt", "long_lines.md")]


def invisible_characters(out: Path, sizes: Sizes) -> list[Expect]:
    lines = ("长春市优化营商环境\n\n" + _unique_body(6)).split("\n")
    zero_width = ["\u200b".join(line) if i % 3 == 0 else line.replace("，", "\u200d，\ufeff") for i, line in enumerate(lines)]
    _write(out, "invisible/zero_width.txt", "\n".join(zero_width))
    lines = ("长春市推进一网通办\n\n" + _unique_body(7)).split("\n")
    rtl = ["\u202e" + line + "\u202c" if i % 2 else "\u2067" + line + "\u2069 مرحبا שלום" for i, line in enumerate(lines)]
    _write(out, "invisible/right_to_left.txt", "\n".join(rtl))
    controls = "".join(ch + ("\x07\x1b[31m\x08" if i % 97 == 0 else "") for i, ch in enumerate("长春市政务服务\n\n" + _unique_body(8)))
    _write(out, "invisible/control_chars.txt", controls)
    _write(out, "invisible/cr_line_ends.txt", _article(3).replace("\n", "\r"))
    _write(out, "invisible/rtl_title.md", '---\ntitle: "\u202e长春\u200b市\u2066营商\u2069环境"\n---\n' + _unique_body(9))
    return [Expect("invisible_characters", f"invisible/{n}", "read") for n in
            ("zero_width.txt", "right_to_left.txt", "control_chars.txt", "cr_line_ends.txt", "rtl_title.md")]


def deep_html(out: Path, sizes: Sizes) -> list[Expect]:
    body = "".join(f"<p>{p}</p>" for p in _article().split("\n") if p.strip())
    _write(out, "html/deep_nesting.html", "<html><body>" + "<div>" * 50_000 + body + "</div>" * 50_000 + "</body></html>")
    _write(out, "html/unclosed_tags.html", "<html><body><p>" + body.replace("</p>", "") + "<div><span><b")
    return [Expect("deep_html", "html/deep_nesting.html", "read"), Expect("deep_html", "html/unclosed_tags.html", "read")]


def links(out: Path, sizes: Sizes) -> list[Expect]:
    folder = out / "links"
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(".", folder / "self_dir")
    os.symlink("..", folder / "parent_dir")
    os.symlink("self.txt", folder / "self.txt")
    os.symlink("nowhere.txt", folder / "broken.txt")
    os.mkfifo(folder / "fifo.txt")
    return [Expect("links", "links/self_dir", "skipped", "loop"),
            Expect("links", "links/parent_dir", "skipped", "loop"),
            Expect("links", "links/self.txt", "skipped", "loop|cannot follow"),
            Expect("links", "links/broken.txt", "skipped", "broken"),
            Expect("links", "links/fifo.txt", "skipped", "not a regular file")]


def odd_names(out: Path, sizes: Sizes) -> list[Expect]:
    _write(out, b"names/bad_\xff\xfe_name.txt", _article(3))
    _write(out, "names/line\nbreak.txt", _article(3).replace("。", "！", 1))
    _write(out, "names/\x1b[31mterminal_escape.txt", _article(3).replace("。", "；", 1))
    _write(out, "names/<script>alert(1)</script>.txt", _article(3).replace("。", "？", 1))
    return [Expect("odd_names", "names/bad_\\xff\\xfe_name.txt", "read"),
            Expect("odd_names", "names/line\\x0abreak.txt", "read"),
            Expect("odd_names", "names/\\x1b[31mterminal_escape.txt", "read"),
            Expect("odd_names", "names/<script>alert(1)</script>.txt", "read")]


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _patch_headers(path: Path, offsets: tuple[int, int], value: Callable[[int], int]) -> None:
    """Rewrite a 16-bit field of the first local header and the first central header."""
    data = bytearray(path.read_bytes())
    for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), offsets):
        at = data.find(signature)
        struct.pack_into("<H", data, at + offset, value(struct.unpack_from("<H", data, at + offset)[0]))
    path.write_bytes(bytes(data))


def archives(out: Path, sizes: Sizes) -> list[Expect]:
    text = _article().encode("utf-8")
    folder = out / "zip"
    _zip(folder / "good.zip", {"a.txt": text, "sub/b.md": b"---\ntitle: zip\n---\n" + seed_texts()[3].encode()})
    _zip(folder / "slip.zip", {"ok.txt": text, "../../evil.txt": text})
    _zip(folder / "absolute.zip", {"/etc/evil.txt": text})
    with zipfile.ZipFile(folder / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb.txt", "w", force_zip64=True) as member:
            chunk = b"\0" * 2**20
            for _ in range(sizes.bomb_bytes // len(chunk)):
                member.write(chunk)
    link = zipfile.ZipInfo("link.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(folder / "symlink.zip", "w") as archive:
        archive.writestr(link, "/etc/passwd")
    _zip(folder / "encrypted.zip", {"inner.txt": text})
    _patch_headers(folder / "encrypted.zip", (6, 8), lambda flags: flags | 0x1)
    _zip(folder / "unsupported_method.zip", {"inner.txt": text})
    _patch_headers(folder / "unsupported_method.zip", (8, 10), lambda method: 9)  # deflate64
    _zip(folder / "corrupt_data.zip", {"inner.txt": text})
    data = bytearray((folder / "corrupt_data.zip").read_bytes())
    data[60:90] = bytes(b ^ 0x5A for b in data[60:90])  # inside the compressed stream
    (folder / "corrupt_data.zip").write_bytes(bytes(data))
    _zip(folder / "truncated.zip", {"inner.txt": text})
    (folder / "truncated.zip").write_bytes((folder / "truncated.zip").read_bytes()[:200])
    _zip(folder / "nested.zip", {"inner.zip": (folder / "good.zip").read_bytes()})
    return [Expect("archives", "zip/good.zip/a.txt", "read"),
            Expect("archives", "zip/good.zip/sub/b.md", "read"),
            Expect("archives", "zip/slip.zip", "skipped", "escapes"),
            Expect("archives", "zip/absolute.zip", "skipped", "escapes"),
            Expect("archives", "zip/bomb.zip", "skipped", "bomb|expands"),
            Expect("archives", "zip/symlink.zip", "skipped", "symbolic link"),
            Expect("archives", "zip/encrypted.zip/inner.txt", "skipped", "encrypted"),
            Expect("archives", "zip/unsupported_method.zip/inner.txt", "skipped", "compression method"),
            Expect("archives", "zip/corrupt_data.zip/inner.txt", "skipped", "."),
            Expect("archives", "zip/truncated.zip", "skipped", "zip"),
            Expect("archives", "zip/nested.zip/inner.zip", "skipped", "not a readable format")]


def tiny_files(out: Path, sizes: Sizes) -> list[Expect]:
    sentences = _sentences()
    expects = []
    for i in range(sizes.tiny_files):
        name = f"tiny/{i // 1000:02d}/{i:05d}.txt"
        _write(out, name, f"第{i}号简讯\n\n{sentences[i % len(sentences)]}{sentences[(i * 7 + 3) % len(sentences)]}\n")
        expects.append(Expect("tiny_files", name, "read"))
    return expects


CASES: dict[str, tuple[Callable[[Path, Sizes], list[Expect]], str]] = {
    "good_seeds": (good_seeds, "the five bundled seed files, untouched"),
    "empty": (empty, "an empty file and a whitespace-only file"),
    "binary": (binary, "random bytes, a PNG named .txt, UTF-8 text with NUL bytes"),
    "truncated_utf8": (truncated_utf8, "a real article whose last character lost its final bytes"),
    "legacy_encodings": (legacy_encodings, "GB18030 (whole, and cut inside a character), Big5, UTF-16 LE/BE without BOM"),
    "long_line": (long_line, "one line of 5 MB (50 MB with --full)"),
    "long_sentences": (long_sentences, "two paragraphs of 5,000 characters (100,000 with --full) without sentence punctuation"),
    "many_lines": (many_lines, "100,000 short lines"),
    "front_matter": (front_matter, "unclosed, broken, non-mapping and tab-indented YAML front matter"),
    "yaml_alias_bomb": (yaml_alias_bomb, "a 700-byte YAML front matter whose title expands to 9^9 words (billion laughs)"),
    "surrogate_escapes": (surrogate_escapes, "\\ud800 / \\udfff escapes (lone surrogates) in YAML front matter and JSON"),
    "json": (json_files, "malformed, truncated, 100,000-deep arrays/objects, 900-deep field, scalars, no text field, \\u0000 escapes, truncated JSONL"),
    "ragged_csv": (ragged_csv, "CSV rows with extra and missing fields"),
    "hostile_text": (hostile_text, "<script>, <img onerror>, Markdown links and images in titles, sources and bodies; HTML entities; a 3,000-character title and a 200,000-character line"),
    "invisible_characters": (invisible_characters, "zero-width and right-to-left characters (in text and a title), terminal escapes and control characters, CR line ends"),
    "deep_html": (deep_html, "50,000 nested <div>s, unclosed tags"),
    "links": (links, "symbolic link loops (to itself, to its parent, a self-referencing file), a broken link, a FIFO"),
    "odd_names": (odd_names, "file names with invalid UTF-8 bytes, a line break, a terminal escape, HTML"),
    "archives": (archives, "zip with ../ and absolute entries, zip bomb, symlink, encrypted, deflate64, corrupt and truncated archives, nested zip"),
    "tiny_files": (tiny_files, "1,000 tiny files (10,000 with --full)"),
}


def make(out: Path, sizes: Sizes = Sizes(), cases: list[str] | None = None) -> list[Expect]:
    """Write the corpus (all cases, or the named ones) into `out`; return the expectations."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    expects: list[Expect] = []
    for name in cases or list(CASES):
        expects += CASES[name][0](out, sizes)
    return expects


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (must not exist or be empty)")
    parser.add_argument("--full", action="store_true", help="full sizes: 10,000 tiny files, a 50 MB line, a 2 GB zip bomb")
    parser.add_argument("--case", action="append", choices=list(CASES), help="write only this case (repeatable)")
    args = parser.parse_args(argv)
    expects = make(args.out, Sizes.full() if args.full else Sizes(), args.case)
    for expect in expects:
        if expect.case != "tiny_files":
            print(f"{expect.outcome:8} {expect.path!r}" + (f"  /{expect.reason}/" if expect.reason else ""))
    tiny = sum(e.case == "tiny_files" for e in expects)
    print(f"{len(expects):,} expectations ({tiny:,} tiny files) in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
