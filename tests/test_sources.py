"""Publishers: spellings, path mapping, the forced name, and the order of trust, table-driven."""

import pytest

from pipeline.sources import SourceBook, header_source, story_source

BOOK = SourceBook.from_config({
    "publishers": {"人民日报": ["人民日报社", "人民网"], "吉林日报": None, "城市晚报": [], "中国吉林网": ["吉网", "吉刻APP"]},
    "paths": {"rmrb": "人民日报", "rmrb-governance": "人民日报"},
})


@pytest.mark.parametrize("name, expected", [("人民网", "人民日报"), (" 吉网 ", "中国吉林网"), ("关仁问答网", "关仁问答网")])
def test_canonical(name, expected):
    assert BOOK.canonical(name) == expected


@pytest.mark.parametrize("text, expected", [
    ("吉林日报记者 王焕照", "吉林日报"),
    ("城市晚报全媒体记者 刘昶", "城市晚报"),
    ("中国吉林网 吉刻APP记者 王寅", "中国吉林网"),  # the first spelling in the text wins
    ("本报记者 王秋月", None),
])
def test_find_in(text, expected):
    assert BOOK.find_in(text) == expected


@pytest.mark.parametrize("path, expected", [
    ("rmrb/2019-02/20190205/20190205-01-05.txt", "人民日报"),
    ("corpus/rmrb-governance/20190219/20190219-07-02.txt", "人民日报"),
    ("xwlb/2025-10-31-0.json", None),
    ("rmrb-extra/x.txt", None),  # whole components only
])
def test_from_path(path, expected):
    assert BOOK.from_path(path) == expected


@pytest.mark.parametrize("lines, expected", [
    (["来源: 关仁问答网", "2024-05-18 10:42:36"], "关仁问答网"),
    (["标题", "2025-04-11 20:52      来源: 中国吉林网"], "中国吉林网"),
    (["【来源：中国吉林网】"], "中国吉林网"),
    (["(来源:长春新区)"], None),  # a photo credit
    (["标题"] * 8 + ["来源: 关仁问答网"], None),  # beyond the head of the file
])
def test_header_source(resources, lines, expected):
    assert header_source(lines, resources.patterns.header_source) == expected


@pytest.mark.parametrize("book, credits, header, meta, path, bylines, expected", [
    (BOOK.forcing("人民网"), ["中国吉林网"], "关仁问答网", "趣头条", "rmrb/x.txt", ["吉林日报记者 王焕照"], "人民日报"),
    (BOOK, ["中国吉林网"], None, "趣头条", "x.txt", [], "中国吉林网"),  # a repost names its original publisher
    (BOOK, [], "关仁问答网", "趣头条", "x.txt", ["张星燚 本报记者 郑欢"], "关仁问答网"),
    (BOOK, [], None, "趣头条", "rmrb/x.txt", [], "趣头条"),
    (BOOK, [], None, None, "rmrb/x.txt", ["新华社记者 张三"], "人民日报"),  # Xinhua copy printed in People's Daily
    (BOOK, [], None, None, "raw/001.txt", ["吉林日报记者 王焕照"], "吉林日报"),
    (BOOK, [], None, None, "raw/002.txt", ["本报记者 马贺"], None),
    (BOOK.forcing(None), [], None, None, "raw/002.txt", [], None),
])
def test_story_source_order_of_trust(book, credits, header, meta, path, bylines, expected):
    assert story_source(book, credits, header, meta, path, bylines) == expected
