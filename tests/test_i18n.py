"""Interface strings: the reasons of skipped files in Chinese, for every kind the pipeline gives."""

import pytest

from dashboard.i18n import skip_reason

# (the pipeline's reason, as report.json and the console give it; the Chinese kind shown before it)
REASONS = [
    ("empty file", "空文件"),
    ("binary or undecodable content (no text encoding fits)", "二进制内容"),
    ("binary content (NUL bytes)", "二进制内容"),
    ("a single line of 5,000,000 characters: not article text", "单行过长"),
    ("front matter opened with --- but never closed", "front matter"),
    ("broken YAML front matter: while scanning for the next token", "front matter"),
    ("front matter is not a mapping of fields", "front matter"),
    ("malformed CSV: new-line character seen in unquoted field", "CSV 格式错误"),
    ("malformed JSON: Unterminated string starting at: line 1 column 10 (char 9)", "JSON 格式错误"),
    ("JSON holds something other than objects (expected an object or a list of objects)", "JSON 格式错误"),
    ("no record has a text field (looked for content, text, body)", "找不到正文字段"),
    ("not a readable format", "不支持的文件格式"),
    ("not a readable zip archive: File is not a zip file", "无法读取的 zip"),
    ("archive entry '../../evil.txt' escapes its folder", "指向包外"),
    ("archive entry 'bomb.txt' expands 1,029× (zip bomb?)", "压缩炸弹"),
    ("file of 60,000,000 bytes exceeds the limit of 50,000,000", "超过大小限制"),
    ("archive entry 'link.txt' is a symbolic link", "符号链接，已拒绝"),
    ("encrypted (needs a password)", "加密文件"),
    ("That compression method is not supported (recompress the archive with deflate)", "压缩方式不受支持"),
    ("Error -3 while decompressing data: invalid bit length repeat", "压缩数据损坏"),
    ("truncated or corrupt compressed data: Compressed file ended before the end-of-stream marker was reached",
     "压缩数据损坏"),
    ("symbolic link loop (folder already visited)", "符号链接失效或循环"),
    ("broken symbolic link", "符号链接失效或循环"),
    ("cannot follow: Too many levels of symbolic links", "符号链接失效或循环"),
    ("not a regular file (a pipe, socket or device)", "不是普通文件"),
    ("permission denied", "没有读取权限"),
    ("no such file or folder (or a broken link)", "不存在"),
]


@pytest.mark.parametrize("reason, kind", REASONS)
def test_a_skipped_files_reason_names_its_kind_in_chinese_and_keeps_the_detail(reason, kind):
    shown = skip_reason(reason, "zh")
    assert kind in shown and shown.endswith(f"（{reason}）")
    assert skip_reason(reason, "en") == reason


def test_an_unknown_reason_is_shown_as_it_is():
    assert skip_reason("something new went wrong", "zh") == "something new went wrong"


def test_every_step_of_an_upload_build_has_a_label():
    """The upload page names each step as it runs: a build stage added without a label would stop the build."""
    from dashboard.i18n import t
    from dashboard.workspace import STEPS
    from pipeline.build import STAGES

    assert set(STAGES) <= set(STEPS)
    for step in STEPS:
        assert t(f"step_{step}", "zh") and t(f"step_{step}", "en")
