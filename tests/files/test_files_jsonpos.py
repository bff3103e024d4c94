"""Positions in JSON files: where each value starts, and syntax errors at their line and column."""

from __future__ import annotations

import pytest

from shared.files.jsonpos import JsonSyntaxError, LocatedJson


def test_values_are_located_by_path_and_missing_paths_fall_back_to_their_parent():
    doc = LocatedJson('{\n  "a": [1, {"b": "x"}],\n  "c": 2\n}\n')
    assert doc.value == {"a": [1, {"b": "x"}], "c": 2}
    assert doc.position(("a", 1, "b")) == (2, 18)
    assert doc.position(("c",)) == (3, 8)
    assert doc.position(("a", 1, "missing")) == (2, 12)
    assert doc.position(()) == (1, 1)


@pytest.mark.parametrize(("text", "where"), [
    ('{\n  "a": 1,\n}', (3, 1)),                 # trailing comma
    ('{"a": NaN}', (1, 1)),                      # not JSON, though Python's json would take it
    ("[" * 5000 + "]" * 5000, (1, 1)),           # nested deeper than anyone writes by hand
    ("", (1, 1)),
])
def test_text_that_is_not_json_is_refused_at_a_position(text: str, where: tuple[int, int]):
    with pytest.raises(JsonSyntaxError) as caught:
        LocatedJson(text)
    assert (caught.value.line, caught.value.column) == where
