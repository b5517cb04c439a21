"""Splitting pages into stories: titles checked against the hand labels, headline parts, spans,
the People's Daily layout (built from seed lines), ads and credits."""

import json

import pytest

from pipeline.formats import parse
from pipeline.clean import normalize
from pipeline.split import split_page
from tests.conftest import ROOT, seed

LABELS = ROOT / "benchmarks" / "eval" / "labels.jsonl"


def labelled_titles(prefix: str) -> list[str]:
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["title"] for r in sorted(rows, key=lambda r: r["story"]) if r["corpus"] == "seeds" and r["doc_path"].startswith(prefix)]


def seed_line(prefix: str, number: int) -> str:
    """Line `number` (1-based) of a seed file."""
    return seed(prefix).split("\n")[number - 1]


@pytest.mark.parametrize("prefix, stories", [("001", 8), ("002", 6), ("003", 3), ("004", 1)])
def test_pages_split_into_the_labelled_stories_with_their_main_titles(resources, prefix, stories):
    found = split_page(seed(prefix), resources.patterns).stories
    titles = labelled_titles(prefix)
    assert len(titles) == stories
    assert [s.title for s in found] == titles


@pytest.mark.parametrize("prefix, story, kicker, subtitle", [
    ("001", 0, "", "——公主岭市积极推进“幸福小区”创建记事"),
    ("002", 0, "", '——长春经开区打造"经心办""经易办""经近办"政务服务品牌综述'),
    ("002", 2, "", "—长岭县积极推进移风易俗见闻"),
    ("002", 5, "提高免疫密度 建起有效屏障", ""),  # a kicker above the main title
    ("003", 1, "", ""),
])
def test_kicker_and_subtitle_are_kept_apart_from_the_title(resources, prefix, story, kicker, subtitle):
    found = split_page(seed(prefix), resources.patterns).stories[story]
    assert (found.kicker, found.subtitle) == (kicker, subtitle)
    assert found.text.startswith(kicker or subtitle or found.paragraphs[0])  # text-based stages still see them


@pytest.mark.parametrize("prefix", ["001", "002", "003", "004"])
def test_spans_lie_inside_the_text_in_order_and_open_with_the_headline(resources, prefix):
    text = seed(prefix)
    ends = 0
    for story in split_page(text, resources.patterns).stories:
        assert ends <= story.span_start < story.span_end <= len(text)
        opening = text[story.span_start: story.span_end].strip()
        assert opening.startswith((story.kicker or story.title)[:6])
        ends = story.span_end


def test_ads_and_captions_are_not_stories_nor_text_and_ads_are_kept_apart(resources):
    page = split_page(seed("001"), resources.patterns)
    everything = "\n".join(s.title + s.text for s in page.stories)
    for furniture in ("渤海银行", "理财有风险", "财富热线", "南城中心供图", "文化宣传展板", "【基层建设年进行时】"):
        assert furniture not in everything
    assert any("理财募集期" in ad for ad in page.ads) and len(page.ads) == 4


def test_broken_ocr_lines_are_joined_and_list_items_are_not(resources):
    stories = split_page(seed("001"), resources.patterns).stories
    assert "小区第一书记" in stories[0].text
    listing = stories[6].paragraphs
    assert "- 2.吉林市龙潭区金珠花旅游度假区" in listing and "- 6.长白山管委会池南区老黑河遗址景区" in listing


def test_ocr_repeats_at_column_breaks_are_dropped(resources):
    [first] = [s for s in split_page(seed("002"), resources.patterns).stories if s.title == "谋势致远赢发展"]
    assert "口峰" not in first.text and "赢得了良好的口碑。" in first.text
    [lottery] = [s for s in split_page(seed("002"), resources.patterns).stories if s.title.startswith("吉林体彩")]
    assert "丰富了体彩人的精神文化生活,为打造丰富多彩的美好生活贡献巾帼力量。" in lottery.text


@pytest.mark.parametrize("text, title, paragraphs", [
    (seed("002"), "谋势致远赢发展", 73),  # a known title: one article, the repeated title line dropped
    ("本台今天（11月6日）播发央视快评。", "央视快评", 1),  # a short record is still an article
    ("原标题：另一个标题\n\n" + seed_line("002", 9), "标题", 1),
    ("\n\n", "标题", 0),
])
def test_a_title_from_metadata_makes_one_article(resources, text, title, paragraphs):
    page = split_page(text, resources.patterns, title=title)
    assert len(page.stories) == (1 if paragraphs else 0)
    if paragraphs:
        assert page.stories[0].title == title and len(page.stories[0].paragraphs) == paragraphs
        assert not page.stories[0].text.startswith(title)


def test_bylines_and_source_credits_are_kept_apart(resources):
    stories = split_page(seed("001"), resources.patterns).stories
    assert stories[0].bylines == ["吉林日报记者 王焕照"]
    assert "王焕照" not in stories[0].text
    [blog] = parse("000.txt", seed("000").encode())
    [story] = split_page(blog.body, resources.patterns, title=blog.meta["title"]).stories
    assert story.credits == ["中国吉林网"]  # 【来源：中国吉林网】 closing the repost


# The People's Daily layout, built from seed lines: line 1 kicker, line 2 title, line 3 subtitle
# (blank when missing), the body from line 4, paragraphs indented with two ideographic spaces.
BODY = "\n".join("\u3000\u3000" + seed_line("002", n) for n in (151, 153, 157))


@pytest.mark.parametrize("head, kicker, title, subtitle", [
    (["", "吉林市开展春季动物防疫工作", ""], "", "吉林市开展春季动物防疫工作", ""),
    (["提高免疫密度 建起有效屏障", "吉林市开展春季动物防疫工作", ""], "提高免疫密度 建起有效屏障", "吉林市开展春季动物防疫工作", ""),
    (["", "文明新风沐乡野", "—长岭县积极推进移风易俗见闻"], "", "文明新风沐乡野", "—长岭县积极推进移风易俗见闻"),
    (["提高免疫密度 建起有效屏障", "吉林市开展春季动物防疫工作", "本报记者 马贺"],
     "提高免疫密度 建起有效屏障", "吉林市开展春季动物防疫工作", "本报记者 马贺"),  # position, not line class, decides
    (["", "吉林日报记者 王焕照", ""], "", "吉林日报记者 王焕照", ""),
])
def test_people_s_daily_layout_takes_the_headline_by_position(resources, head, kicker, title, subtitle):
    text = "\n".join(head) + "\n" + BODY
    [story] = split_page(text, resources.patterns).stories
    assert (story.kicker, story.title, story.subtitle) == (kicker, title, subtitle)
    assert story.span_start == text.index(kicker or title)


def test_people_s_daily_layout_is_one_article_kept_as_written(resources):
    """The crawl has one line per paragraph and no OCR damage: nothing is joined, squeezed or
    dropped, and a second title-like line with a lead does not start a new story."""
    body = "\n".join("\u3000\u3000" + line for line in (seed_line("002", 81), seed_line("001", 57), seed_line("001", 59)))
    text = "\n谋势致远赢发展\n\n" + body
    page = split_page(text, resources.patterns)
    assert len(page.stories) == 1
    assert page.stories[0].paragraphs == [seed_line("002", 81).strip(), seed_line("001", 57), seed_line("001", 59)]


@pytest.mark.parametrize("text", [
    seed("001"),  # opens with blank lines
    seed("003"),  # a 来源/date header
    seed("004"),  # a repeated title line and a breadcrumb
    "\n谋势致远赢发展\n\n" + "\n\n".join(seed_line("002", n) for n in (9, 11, 13)),  # paragraphs apart, not indented
])
def test_other_pages_are_not_taken_for_the_people_s_daily_layout(resources, text):
    page = split_page(text, resources.patterns)
    assert all(story.kicker == "" or story.kicker != text.split("\n")[0] for story in page.stories)
    assert split_page(text, resources.patterns).stories[0].title != ""


@pytest.mark.parametrize("text, title", [
    ("\n广告\n\n", None),  # a picture or ad page of the crawl
    ("首页\n|\n简\n|\n繁\n|\nEN\n登录\n个人中心\n退出\nfunction goSearch(event) {\nvar e = window.event || event;\n}", "标题"),
])
def test_files_without_prose_give_no_story(resources, text, title):
    assert split_page(text, resources.patterns, title=title).stories == []


def test_people_s_daily_layout_keeps_repeated_and_bulleted_lines(resources):
    """Clean text repeats lines (同志们！ in a speech, a heading after its table of contents) and
    bullets its points: both are content there, unlike a scraped page's doubled title."""
    point = "■" + seed_line("002", 9)
    lines = [seed_line("002", 17), seed_line("002", 9), seed_line("002", 17), point, "◆ 分 优环境 抓项目 促振兴"]
    text = "\n谋势致远赢发展\n\n" + "\n".join("\u3000\u3000" + line for line in lines)
    [story] = split_page(text, resources.patterns).stories
    assert story.paragraphs == [normalize(line).strip() for line in lines[:4]]  # a short bulleted header is furniture


def test_people_s_daily_photo_story_of_one_sentence_is_an_article(resources):
    text = "\n通化万峰:迎春风 滑春雪\n\n\u3000\u3000" + "3月11日,万峰通化滑雪度假区迎来一场春雪。" + "\n\u3000\u3000本报记者 李铭摄\n"
    [story] = split_page(text, resources.patterns).stories
    assert story.paragraphs == ["3月11日,万峰通化滑雪度假区迎来一场春雪。"]


@pytest.mark.parametrize("text, header", [
    (seed("003"), ["来源: 关仁问答网", "2024-05-18 10:42:36", "", "兴园街道提升党群服务中心阵地", ""]),
    ("\n吉林市开展春季动物防疫工作\n2024年3月12日 长春\n" + BODY, []),  # a headline's date is an event's
])
def test_page_header_is_where_a_page_states_its_date(resources, text, header):
    assert split_page(text, resources.patterns).header == header
