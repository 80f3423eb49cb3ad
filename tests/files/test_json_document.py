"""Reading a JSON document: regular files only, a size limit, unique keys, bounded depth."""

from __future__ import annotations

import json
import time

import pytest

from log_reg.files.json_document import MAX_DEPTH, read_document


def _write(path, text):
    path.write_text(text)
    return path


def test_exactly_max_depth_levels_are_read_and_one_more_is_refused(tmp_path):
    ok = {"a": 1}
    for _ in range(MAX_DEPTH - 1):
        ok = {"a": ok}
    path = _write(tmp_path / "d.json", json.dumps(ok))
    assert read_document(path, max_bytes=10**6) == ok
    _write(path, json.dumps({"a": ok}))
    with pytest.raises(ValueError, match=f"nested too deeply \\(more than {MAX_DEPTH} levels\\)"):
        read_document(path, max_bytes=10**6)


def test_brackets_and_escapes_inside_strings_are_not_nesting(tmp_path):
    document = {"[[[": "]]]{{{" * 100, 'a\\"[': ["\\", '\\"', "[" * 100]}
    path = _write(tmp_path / "d.json", json.dumps(document))
    assert read_document(path, max_bytes=10**6) == document


def test_a_huge_file_is_refused_after_reading_only_max_bytes_plus_one(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:  # 64 GiB, sparse: reading it whole would take minutes
        file.write(b'{"a": "')
        file.truncate(64 * 2**30)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="larger than 1000000 bytes"):
        read_document(path, max_bytes=10**6)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "it is empty"),
        ("   \n", "it is empty"),
        ('{"a": 1} x', "not JSON .Extra data"),
        ('{"a": [1, 2', "truncated"),
        ('{"a": NaN}', "it holds NaN, which is not standard JSON"),
        ('{"a": -Infinity}', "it holds -Infinity"),
        ('{"a": 1, "a": 2, "b": 1, "b": 2}', r'repeats the key\(s\) \["a", "b"\]'),
        ('{"a": ' + "1" * 5000 + "}", "an integer too long to read"),
        ("\ufeff{}", "not a JSON object"),
    ],
)
def test_what_is_not_a_json_object_is_named(tmp_path, text, match):
    path = tmp_path / "d.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        read_document(path, max_bytes=10**6)


def test_a_missing_file_is_an_os_error_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        read_document(tmp_path / "nothing.json", max_bytes=10)
    assert error.value.filename == str(tmp_path / "nothing.json")
