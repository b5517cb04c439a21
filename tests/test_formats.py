"""Decoding and format parsing, table-driven, on real text from the seeds."""

import json

import pytest

from pipeline.formats import FieldMap, Unreadable, decode, front_matter, html_to_text, parse
from tests.conftest import seed

SAMPLE = "长春经开区打造“经心办”政务服务品牌，推进一网通办。"


PAGE = seed("002")[:3000]  # real text, long enough for detection


@pytest.mark.parametrize("data, encoding", [
    (SAMPLE.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
    ((SAMPLE * 20).encode("gb18030"), "gb18030"),
    (SAMPLE.encode("gbk"), "gb18030"),  # GBK is read as its superset
    (PAGE.encode("gb18030"), "gb18030"),
    (PAGE.encode("big5", errors="ignore"), "big5"),
    ("\ufeff".encode("utf-16-le") + SAMPLE.encode("utf-16-le"), "utf-16"),
    ("\ufeff".encode("utf-16-be") + SAMPLE.encode("utf-16-be"), "utf-16"),
    (PAGE.encode("utf-16-le"), "utf-16-le"),  # no byte-order mark
    (PAGE.encode("utf-16-be"), "utf-16-be"),
])
def test_decode(data, encoding):
    text, found = decode(data)
    assert found == encoding
    assert text == data.decode(encoding).lstrip("\ufeff") or text == data.decode(encoding)


def test_a_character_cut_off_at_the_end_is_dropped():
    text, encoding = decode(SAMPLE.encode("utf-8")[:-1])
    assert (text, encoding) == (SAMPLE[:-1], "utf-8")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (bytes(range(256)) * 40, "binary"),
])
def test_decode_refuses(data, reason):
    with pytest.raises(Unreadable, match=reason):
        decode(data)


def test_front_matter_of_the_blog_post():
    meta, body = front_matter(seed("000"))
    assert meta["title"] == "优化营商环境改善民生福祉_首善之区_发展持续增温"
    assert meta["date"].startswith("Tue, 30 Nov 2021")
    assert len(body) == len(seed("000")) and body.count("\n") == seed("000").count("\n")  # offsets kept
    assert body.index("<div>") == seed("000").index("<div>")
    assert "<div>" in body and "categories" not in body


@pytest.mark.parametrize("text, reason", [
    ("---\ntitle: [unclosed\n---\nbody", "broken YAML"),
    ("---\ntitle: x\nbody never closed", "never closed"),
])
def test_broken_front_matter(text, reason):
    with pytest.raises(Unreadable, match=reason):
        front_matter(text)


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    html = ("<html><head><title>标题</title><script>alert(1)</script><style>p{}</style></head>"
            "<body><nav>首页 导航</nav><p>第一段<strong>加粗</strong>文字。</p><!-- 注释 --><p>第二段。</p></body></html>")
    meta, text = html_to_text(html)
    assert meta["title"] == "标题"
    assert text == "第一段加粗文字。\n\n第二段。"


def test_blog_post_parses_to_one_document_with_metadata():
    [doc] = parse("000.txt", seed("000").encode())
    assert doc.meta["title"].startswith("优化营商环境")
    assert "楼宇有了“温度”" in doc.body and "<p>" not in doc.body


def test_json_records_with_xwlb_fields():
    records = [{"id": "2025-10-31-0", "date": "2025-10-31", "title": "标题一", "content": SAMPLE, "sourceUrl": "https://example.org/1"},
               {"id": "2025-10-31-1", "date": "2025-10-31", "title": "标题二", "content": SAMPLE}]
    docs = parse("x.json", json.dumps(records, ensure_ascii=False).encode())
    assert [d.doc_path for d in docs] == ["x.json#0", "x.json#1"]
    assert docs[0].meta == {"title": "标题一", "date": "2025-10-31", "url": "https://example.org/1"}
    assert docs[0].body == SAMPLE


def test_field_mapping_override():
    data = json.dumps({"headline_cn": "标题", "正文内容": SAMPLE}, ensure_ascii=False).encode()
    with pytest.raises(Unreadable, match="no record has a text field"):
        parse("x.json", data)
    [doc] = parse("x.json", data, FieldMap().override(title="headline_cn", text="正文内容"))
    assert doc.meta["title"] == "标题" and doc.body == SAMPLE


@pytest.mark.parametrize("name, data, reason", [
    ("bad.json", b'{"title": "x", ', "malformed JSON"),
    ("list.json", b"[1, 2]", "other than objects"),
    ("long.txt", b"x" * 1_000_001, "single line"),
])
def test_bad_structured_input(name, data, reason):
    with pytest.raises(Unreadable, match=reason):
        parse(name, data)


def test_csv_rows_are_records():
    data = "title,content,date\n标题,正文第一段。,2024-01-02\n二,第二篇正文。,2024-01-03\n".encode()
    docs = parse("a.csv", data)
    assert [(d.meta["title"], d.body) for d in docs] == [("标题", "正文第一段。"), ("二", "第二篇正文。")]


def test_csv_field_longer_than_the_csv_modules_default_limit_is_read():
    body = PAGE * (200_000 // len(PAGE) + 1)  # over csv's default 131,072-character field limit
    data = ("title,content\n标题,\"" + body.replace('"', '""') + "\"\n").encode()
    [doc] = parse("long.csv", data)
    assert len(doc.body) > 131_072 and doc.meta["title"] == "标题"


def test_json_lines_and_html_metadata():
    lines = "\n".join(json.dumps({"title": f"标题{i}", "text": SAMPLE, "publish_time": "2024-01-0%d" % (i + 1)}, ensure_ascii=False)
                      for i in range(2))
    docs = parse("a.jsonl", lines.encode())
    assert [(d.doc_path, d.meta["date"]) for d in docs] == [("a.jsonl#0", "2024-01-01"), ("a.jsonl#1", "2024-01-02")]
    html = ('<html><head><meta property="og:title" content="标题"><meta name="pubdate" content="2024-05-18">'
            '<meta property="og:site_name" content="中国吉林网"></head><body><p>正文。</p><div>第二段。</div></body></html>')
    [doc] = parse("a.htm", html.encode())
    assert doc.meta == {"title": "标题", "date": "2024-05-18", "source": "中国吉林网"} and doc.body == "正文。\n\n第二段。"


@pytest.mark.parametrize("name, data, reason", [
    ("bad.csv", b'title,content\n"unclosed,' + "正文".encode() * 10, "no record has a text field|malformed CSV"),
    ("nul.txt", SAMPLE.encode("utf-16-le") + b"\x00\x00" * 3, "NUL|binary"),
])
def test_more_bad_input(name, data, reason):
    with pytest.raises(Unreadable, match=reason):
        parse(name, data)


def test_record_paragraphs_flattened_with_wide_indents_are_split():
    content = "原标题：另一个标题\u2003\u20032025年行至尾声。\u2003\u2003这是应变克难的一年。"
    [doc] = parse("x.json", json.dumps({"title": "标题", "content": content}, ensure_ascii=False).encode())
    assert doc.body.split("\n") == ["原标题：另一个标题", "\u20032025年行至尾声。", "\u2003这是应变克难的一年。"]
    assert len(doc.body) == len(content)  # offsets kept


@pytest.mark.parametrize("front, meta", [
    ("title: 标题\ndate: 2021-11-30\n", {"title": "标题", "date": "2021-11-30"}),  # YAML dates are read as dates
    ("title: [a, b]\nsource: {name: x}\n", {}),  # lists and mappings are not metadata
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ntitle: &t [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n", {}),  # an alias bomb is not expanded
])
def test_front_matter_fields_are_scalars(front, meta):
    assert front_matter(f"---\n{front}---\n正文")[0] == meta


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "utf-16-le"])
def test_a_legacy_file_cut_inside_a_character_is_read(encoding):
    data = PAGE.encode(encoding, errors="ignore")
    text, found = decode(data[:-1])
    assert found == encoding and data.decode(encoding).startswith(text) and len(text) >= len(data.decode(encoding)) - 1


def test_json_lines_with_a_cut_off_last_line_keep_the_others():
    line = json.dumps({"title": "标题", "content": SAMPLE}, ensure_ascii=False)
    assert len(parse("a.jsonl", f"{line}\n{line}\n{line[:-9]}".encode())) == 2
    with pytest.raises(Unreadable, match="malformed JSON: line 1"):
        parse("a.jsonl", f"{line[:-9]}\n{line}".encode())


def test_lone_surrogates_become_replacement_characters():
    data = ('{"title": "\\ud800坏标题", "content": "\\udfff' + SAMPLE + '"}').encode()
    [doc] = parse("a.json", data)
    assert doc.meta["title"] == "\ufffd坏标题" and doc.body == "\ufffd" + SAMPLE
    doc.raw_text.encode("utf-8")  # storable
