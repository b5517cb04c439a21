"""Article text as evidence: always escaped, hits marked."""

import pandas as pd
import pytest

from dashboard import snippets
from pipeline.schema import Col


def test_highlight_escapes_everything_but_its_marks():
    text = '<script>alert("x")</script> 优化营商环境 & **粗体** # 标题'
    out = snippets.highlight(text, ["营商环境", "营商", "<script>"])
    assert "<script>" not in out.replace(snippets.MARK, "")
    assert "&lt;script&gt;" in out and "&amp;" in out and "**粗体** # 标题" in out
    assert out.count("<mark") == 2
    assert f"{snippets.MARK}营商环境</mark>" in out  # the longest term wins where terms overlap


def test_highlight_without_terms_is_plain_escaped_text():
    assert snippets.highlight("a<b", []) == "a&lt;b"
    assert snippets.reader_html("一\n\n二", ["二"]).startswith('<div style="white-space:pre-wrap')


@pytest.mark.parametrize("evidence, term", [("营商环境×5", "营商环境"), ("12345×2", "12345"), ("a×b×3", "a×b")])
def test_matched_term(evidence, term):
    assert snippets.matched_term(evidence) == term


def test_keyword_in_context():
    found = pd.DataFrame({Col.article_id: ["a", "b"], Col.date: ["2024-01-01", None], Col.title: ["t", "u"],
                          Col.source: ["s", None], Col.text: ["社区" * 5, "前文\n换行社区后文"]})
    lines = snippets.keyword_in_context(found, "社区", limit=10, width=4)
    assert list(lines[Col.article_id]) == ["a"] * snippets.PER_ARTICLE + ["b"]
    assert lines.iloc[0][["left", "hit", "right"]].tolist() == ["", "社区", "社区社区"]
    assert lines.iloc[-1][["left", "hit", "right"]].tolist() == ["文 换行", "社区", "后文"]  # line break → space
    assert len(snippets.keyword_in_context(found, "社区", limit=2, width=3)) == 2


def test_kwic_table_is_escaped():
    lines = pd.DataFrame({Col.article_id: ["a"], Col.date: [None], Col.title: ["<b>标题</b>"], Col.source: [None],
                          "left": ["<i>"], "hit": ["社区"], "right": ["&"]})
    out = snippets.kwic_html(lines, {"date": "日期", "title": "标题", "context": "上下文"})
    assert "<b>" not in out and "&lt;b&gt;" in out and "&lt;i&gt;" in out and "&amp;" in out
    assert f"{snippets.MARK}社区</mark>" in out


@pytest.mark.parametrize("text", ["![x](https://example.com/a.png)", "[点](javascript:alert(1))", "**粗** :red[红] $x$"])
def test_plain_text_for_markdown_elements_has_no_markdown_left(text):
    escaped = snippets.plain(text)
    assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c in "[]()*!:$" and i)
