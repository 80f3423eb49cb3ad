"""Property tests (hypothesis) of the model-file loader.

The main property: put any JSON value at any place of a saved document and reseal it;
``load`` then raises a ``ValueError``, or gives a model that is exactly what the edited
document says: saving it again writes the same document. So the loader accepts only what
``save`` could have written, and reads back all of it.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from model_files import KINDS, paths, replaced, reseal, same_json, saved_document

from log_reg import LogisticRegression
from log_reg.files.json_document import MAX_DEPTH, read_document
from log_reg.files.model_json import encode_value
from log_reg.files.persistence import read_model_file, save
from log_reg.files.saved_summary import encode_summary

# Reproducible in CI (derandomize), no example database written into the repository.
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 2, 3, 100])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["inf", "nan", "float64", "float32", "int64", "<i8", "|O", "str", "int"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """The document of every kind of model in ``KINDS``, with the paths into it."""
    folder = tmp_path_factory.mktemp("documents")
    found = []
    for kind, *_ in KINDS:
        document = saved_document(folder, kind)[0]
        found.append((document, [p for p in paths(document) if p and p != ("checksum",)]))
    return found


def _at(document, path):
    for key in path:
        document = document[key]
    return document


def _without(document, *names):
    return {k: v for k, v in document.items() if k not in names}


def assert_reads_back_as_written(path, document):
    """``path`` holds ``document``; load it, save it again, and compare."""
    model_file = read_model_file(path)
    again = path.with_name("again.json")
    save(model_file.model, again, encoding=model_file.encoding)
    written = json.loads(again.read_text())
    ignored = ("library_version", "checksum", "summary")  # a loaded model has no data
    defaults = {k: encode_value(v, k) for k, v in LogisticRegression().get_params().items()}
    expected = {**document, "params": {**defaults, **document["params"]}}  # older files
    assert same_json(_without(written, *ignored), _without(expected, *ignored))
    assert model_file.library_version == document["library_version"]
    saved = document.get("summary")
    kept = None if model_file.summary is None else encode_summary(model_file.summary)
    assert same_json(kept, saved)


@SETTINGS
@given(data=st.data())
def test_any_value_anywhere_is_refused_or_read_exactly(tmp_path, documents, data):
    document, places = data.draw(st.sampled_from(documents))
    place = data.draw(st.sampled_from(places))
    own = [_at(document, p) for p in places]  # values of the right kinds, often
    value = data.draw(json_values | st.sampled_from(own))
    edited = replaced(document, place, value)
    try:
        sealed = reseal(edited)
    except ValueError:  # a float JSON cannot hold; nothing to load
        return
    path = tmp_path / "m.json"
    path.write_text(json.dumps(sealed))
    try:
        read_model_file(path)
    except ValueError as error:
        assert "\n" not in str(error) and len(str(error)) < 500 + len(str(path))
        event("refused")
        return
    event("read")
    assert_reads_back_as_written(path, sealed)


@pytest.mark.parametrize("kind", [k[0] for k in KINDS])
def test_every_saved_document_is_read_exactly(tmp_path, kind):
    document = saved_document(tmp_path, kind)[0]
    assert_reads_back_as_written(tmp_path / "saved.json", document)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_are_refused_with_a_value_error(tmp_path, data):
    path = tmp_path / "m.json"
    path.write_bytes(data)
    with pytest.raises(ValueError):
        read_model_file(path)


@SETTINGS
@given(body=st.dictionaries(st.text(max_size=16), json_values, max_size=12))
def test_any_json_object_that_claims_the_format_is_refused(tmp_path, body):
    document = {**body, "format": "log_reg model", "format_version": 2}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(reseal(document)) if not _has_inf(document) else "{")
    with pytest.raises(ValueError):
        read_model_file(path)


def _has_inf(value):
    if isinstance(value, float):
        return not math.isfinite(value)
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    return any(_has_inf(child) for child in children)


# -- reading a JSON document ----------------------------------------------------------------
text_with_brackets = st.text(alphabet='[]{}"\\ab', max_size=6)
nested = st.recursive(
    st.none() | st.integers() | text_with_brackets,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(text_with_brackets, inner, max_size=3)
    ),
    max_leaves=60,
)


def _depth(value):
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@SETTINGS
@given(value=nested, deeper=st.integers(min_value=0, max_value=40), ascii=st.booleans())
def test_a_document_reads_back_whole_unless_nested_too_deeply(value, deeper, ascii):
    """Strings full of brackets, quotes and backslashes never count as nesting."""
    for _ in range(deeper):
        value = [value]
    document = {"v": value}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.json"
        path.write_text(json.dumps(document, ensure_ascii=ascii), encoding="utf-8")
        if _depth(document) > MAX_DEPTH:
            with pytest.raises(ValueError, match="nested too deeply"):
                read_document(path, max_bytes=10**6)
        else:
            assert read_document(path, max_bytes=10**6) == document
