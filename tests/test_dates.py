"""Date extraction, table-driven: each source of evidence, and what must not count."""

import pytest

from pipeline import dates


@pytest.mark.parametrize("value, expected", [
    ("Tue, 30 Nov 2021 03:09:23 GMT", ("2021-11-30", "day")),
    ("2024-05-18 10:42:36", ("2024-05-18", "day")),
    ("2019年2月19日", ("2019-02-19", "day")),
    ("2019年2月", ("2019-02-01", "month")),
    ("2019", ("2019-01-01", "year")),
    ("not a date", None),
    ("2019-02-30", None),
])
def test_from_metadata(value, expected):
    guess = dates.from_metadata(value)
    assert (guess and (guess.date, guess.precision)) == expected or (guess is None and expected is None)


@pytest.mark.parametrize("lines, expected", [
    (["来源: 关仁问答网", "2024-05-18 10:42:36", "", "标题"], "2024-05-18"),
    (["2025-04-11 20:52      来源: 中国吉林网"], "2025-04-11"),
    (["2022年11月27日 星期日"], "2022-11-27"),
    (["  特别是2023年5月,按照兴隆山镇便民服务中心建设标准,投资建设了金钱便民服务站,辐射金海、金园、金湖三个社区。"], None),
])
def test_from_header(lines, expected):
    guess = dates.from_header(lines)
    assert (guess.date if guess else None) == expected


@pytest.mark.parametrize("path, expected", [
    ("rmrb-governance/20190219/20190219-07-02.txt", ("2019-02-19", "day")),
    ("xwlb/2025-10-31-0.json", ("2025-10-31", "day")),
    ("rmrb/2019-02/x.txt", ("2019-02-01", "month")),
    ("000_5d30f62efd2afad1.txt", None),
    ("a/99999999.txt", None),
])
def test_from_path(path, expected):
    guess = dates.from_path(path)
    assert (guess and (guess.date, guess.precision)) == expected or (guess is None and expected is None)


@pytest.mark.parametrize("text, expected", [
    # a dateline or 今天 gives the news day: the paper prints it that day or the next, so the month
    ("本报3月12日讯(记者韩玉红)今天是第46个中国植树节,由吉林省绿化委员会办公室", ("2024-03-01", "month")),
    ("今天是第46个植树节。", ("2024-03-01", "month")),
    ("在第40个教师节到来之际", ("2024-01-01", "year")),
    ("本报8月31日讯 今天是第40个教师节前夕", ("2024-01-01", "year")),  # the next day may be September
    ("特别是2023年5月,按照兴隆山镇便民服务中心建设标准", None),  # a mentioned date is not the publication date
    ("于2022年11月27日12时起临时关闭", None),  # nor is an announced one
    ("本报讯 3月2日,在松原市长岭县", None),  # a day without a year is not enough
])
def test_from_text(text, expected):
    guess = dates.from_text(text)
    assert (guess and (guess.date, guess.precision)) == expected or (guess is None and expected is None)


@pytest.mark.parametrize("ads, expected", [
    (["渤海银行长春分行 理财募集期: 2022年11月24日-2022年11月30日 成立日: 2022年12月1日"], ("2022-11-01", "month")),
    (["活动时间: 2023年12月28日至2024年1月3日"], None),  # across a new year: nothing certain
    (["认购期 2023年11月24日—12月30日"], ("2023-01-01", "year")),  # across months of one year
    (["理财有风险, 投资需谨慎"], None),
    (["募集期: 2022年11月30日-2022年11月24日"], None),  # an end before the start is no range
])
def test_from_ads(ads, expected):
    guess = dates.from_ads(ads)
    assert (guess and (guess.date, guess.precision)) == expected or (guess is None and expected is None)


@pytest.mark.parametrize("meta, header, path, stories, ads, expected", [
    ("2021-11-30", ["2024-05-18 10:42:36"], "20190219/x.txt", ["第46个植树节"], [], ("2021-11-30", "day", "metadata")),
    (None, ["2024-05-18 10:42:36"], "20190219/x.txt", [], [], ("2024-05-18", "day", "header")),
    (None, ["标题"], "20190219/x.txt", ["第46个植树节"], [], ("2019-02-19", "day", "path")),
    # the most precise evidence of any story dates the whole page
    (None, ["标题"], "page.txt", ["在第40个教师节到来之际", "本报3月12日讯 今天是第46个植树节"], [], ("2024-03-01", "month", "text")),
    (None, ["标题"], "page.txt", ["于2022年11月27日12时起临时关闭"], ["理财募集期: 2022年11月24日-2022年11月30日"],
     ("2022-11-01", "month", "text")),
    (None, ["标题"], "page.txt", ["特别是2023年5月,按照兴隆山镇便民服务中心建设标准"], [], None),
])
def test_page_date_order_of_trust(meta, header, path, stories, ads, expected):
    guess = dates.page_date(meta, header, path, stories, ads)
    assert (guess and (guess.date, guess.precision, guess.origin)) == expected or (guess is None and expected is None)
