"""Recorded answers: conversion to plain data (kernel side) and comparison (grader side)."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from course.grading.answers import (
    ANSWER_MIME,
    answer,
    answers_in,
    calls_answer,
    record,
    same_answer,
    to_plain,
)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class SlyFloat(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return SlyFloat(0.0)

    __hash__ = float.__hash__


class SlyStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def judge(expected, submitted, **settings) -> bool:
    """Record both values as the kernel would, through JSON, and compare them as the grader."""
    wire = json.loads(json.dumps(to_plain(submitted), allow_nan=False))
    return same_answer(to_plain(expected), wire, **settings)


def test_plain_values_stand_for_themselves():
    """Are None, booleans, ints, finite floats, strings and lists recorded unchanged?"""
    for value in [None, True, False, 0, -3, 2**70, 0.25, "", "été", [1, "a", [None]]]:
        assert to_plain(value) == value
        assert judge(value, value)
    assert to_plain((1, 2.5)) == [1, 2.5]


def test_special_floats_are_tagged_and_json_safe():
    """Are NaN and the infinities tagged, so the output is strict JSON, NaN equal to NaN?"""
    plain = to_plain([math.nan, math.inf, -math.inf, np.float64("nan")])
    json.dumps(plain, allow_nan=False)
    assert plain[0] == {"$float": "nan"} and plain[3] == {"$float": "nan"}
    assert judge(math.nan, np.nan)
    assert not judge(math.nan, 0.0)
    assert not judge(0.0, math.nan)
    assert not judge(math.inf, -math.inf)
    assert not judge(math.inf, 1e308)


def test_numpy_values_become_python_values():
    """Do numpy scalars and arrays become plain numbers and nested lists?"""
    assert to_plain(np.int64(3)) == 3 and type(to_plain(np.int64(3))) is int
    assert to_plain(np.bool_(True)) is True
    assert to_plain(np.float32(0.5)) == 0.5
    assert to_plain(np.arange(6).reshape(2, 3)) == [[0, 1, 2], [3, 4, 5]]
    assert judge(0.1 + 0.2, np.float64(0.3))


def test_pandas_objects_are_recorded_with_their_labels():
    """Are a Series and a DataFrame recorded with index, columns and values?"""
    series = pd.Series([0.5, 0.25, 0.25], index=["a", "b", "c"], name="share")
    assert to_plain(series) == {"$series": {"index": ["a", "b", "c"], "values": [0.5, 0.25, 0.25]}}
    frame = pd.DataFrame({"x": [1, 2], "y": ["u", None]}, index=pd.Index([10, 20]))
    assert to_plain(frame) == {
        "$frame": {"index": [10, 20], "columns": ["x", "y"], "rows": [[1, "u"], [2, None]]}
    }
    assert to_plain(pd.Timestamp("2026-01-31")) == {"$time": "2026-01-31T00:00:00"}
    assert to_plain(dt.date(2026, 1, 31)) == {"$time": "2026-01-31"}
    multi = pd.Series([1, 2], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))
    assert to_plain(multi)["$series"]["index"] == [["a", 1], ["b", 2]]


def test_series_comparison_uses_labels_and_order():
    """Does a Series match only with the same labels, in order unless ordered=False?"""
    ref = pd.Series([0.5, 0.3, 0.2], index=["a", "b", "c"])
    assert judge(ref, ref.rename("other name") + 1e-12)
    assert not judge(ref, ref.set_axis(["a", "c", "b"]))
    shuffled = ref.iloc[[2, 0, 1]]
    assert not judge(ref, shuffled)
    assert judge(ref, shuffled, ordered=False)
    assert not judge(ref, ref.iloc[:2], ordered=False)
    assert not judge(ref, ref * 2)


def test_frame_comparison_aligns_columns():
    """Does a DataFrame match whatever its column order, but not with other rows or columns?"""
    ref = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}, index=["p", "q"])
    assert judge(ref, ref[["y", "x"]])
    assert judge(ref, ref.iloc[::-1], ordered=False)
    assert not judge(ref, ref.iloc[::-1])
    assert not judge(ref, ref.rename(columns={"y": "z"}))
    assert not judge(ref, ref + 0.1)
    assert judge(ref, ref + 0.1, tolerance=0.2)
    assert not judge(ref, ref.rename(index={"q": "r"}))


def test_numbers_within_the_absolute_tolerance():
    """Are numbers equal within the tolerance only, and never equal to a string or a bool?"""
    assert judge(1.0, 1.0 + 1e-10)
    assert not judge(1.0, 1.0 + 1e-6)
    assert judge(1.0, 1.0 + 1e-6, tolerance=1e-3)
    assert judge(3, 3.0)
    assert not judge(1, True)
    assert not judge(True, 1)
    assert not judge(1.0, "1.0")
    assert not judge(None, 0)
    assert not judge(0, None)


def test_lists_in_order_or_as_multisets():
    """Are lists compared in order, or as multisets with ordered=False?"""
    assert not judge([1, 2, 2], [2, 1, 2])
    assert judge([1, 2, 2], [2, 1, 2], ordered=False)
    assert not judge([1, 2, 2], [1, 1, 2], ordered=False)
    assert not judge([1, 2], [1, 2, 3], ordered=False)
    assert judge({"a": [1, 2]}, {"a": [1, 2]})
    assert not judge({"a": 1}, {"a": 1, "b": 2})
    assert not judge({"a": 1}, {"b": 1})
    assert judge({("r", 1): 0.5}, {("r", 1): 0.5 + 1e-12})


def test_an_always_equal_object_is_not_plain_data():
    """Does an object with __eq__ always true record as "not plain" and never match?"""
    plain = to_plain(AlwaysEqual())
    assert set(plain) == {"$not_plain"}
    for reference in [0, 0.5, "x", None, True, [1], {"a": 1}, pd.Series([1.0])]:
        assert not judge(reference, AlwaysEqual())
        assert not judge(reference, [AlwaysEqual()])
    # hidden inside containers and pandas objects, too
    assert not judge([1, 2], [1, AlwaysEqual()])
    assert not judge(pd.Series([1.0, 2.0]), pd.Series([1.0, AlwaysEqual()]))
    assert not judge({"a": 1}, {"a": AlwaysEqual()})


def test_subclasses_of_plain_types_are_not_plain():
    """Do a float and a str subclass with __eq__ always true fail, even with the right value?"""
    assert set(to_plain(SlyFloat(0.3))) == {"$not_plain"}
    assert not judge(0.3, SlyFloat(0.3))
    assert not judge(0.3, SlyFloat(99.0))
    assert not judge("internal", SlyStr("internal"))
    assert not judge([0.3], [SlyFloat(0.3)])

    class MyList(list):
        pass

    class MyFrame(pd.DataFrame):
        pass

    assert not judge([1], MyList([1]))
    assert not judge(pd.DataFrame({"a": [1]}), MyFrame({"a": [1]}))
    assert not judge([1.0], np.ma.masked_array([1.0]))


def test_patched_builtins_cannot_reach_the_comparison():
    """Does a patched abs (or isinstance, len) in the kernel leave the grader's verdict alone?"""
    reference = answer("x", 0.3)
    saved = builtins.abs, builtins.isinstance, builtins.len
    builtins.abs, builtins.isinstance, builtins.len = (
        (lambda v: 0),
        (lambda *a: True),
        (lambda v: 0),
    )
    try:  # what a student's kernel would record with those built-ins
        wrong = answer("x", 99.0)
        sly = answer("x", SlyFloat(0.3))
    finally:
        builtins.abs, builtins.isinstance, builtins.len = saved
    # the grader side runs with its own built-ins: the verdict depends on the data only
    assert wrong["value"] == 99.0
    assert not same_answer(reference["value"], wrong["value"], tolerance=reference["tolerance"])
    assert not same_answer(reference["value"], sly["value"])
    assert same_answer(reference["value"], answer("x", 0.3)["value"])


def test_malformed_submissions_are_just_wrong():
    """Does a forged, malformed or deeply nested answer give False rather than an error?"""
    ref = to_plain(pd.DataFrame({"x": [1.0]}))
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    forged = [
        {"$frame": "x"},
        {"$frame": {"columns": ["x"], "rows": [[1.0]]}},
        {"$frame": {"columns": ["x"], "rows": [1.0], "index": [0]}},
        {"$frame": {"columns": ["x", "x"], "rows": [[1.0, 1.0]], "index": [0]}},
        {"$series": None},
        {"$dict": [[1]]},
        {"$not_plain": "x"},
        {"$frame": ref["$frame"], "extra": 1},
        deep,
        "1.0",
    ]
    for actual in forged:
        assert same_answer(ref, actual) is False
    assert same_answer(to_plain({"a": 1}), {"$dict": [["a", 1], ["a", 1]]}) is False
    assert same_answer(to_plain([0.5]), [{"$float": "nan"}]) is False
    assert same_answer(1.0, 10**400) is False


def test_deep_or_cyclic_values_are_not_plain():
    """Is a cyclic or absurdly deep value recorded as "not plain" instead of crashing?"""
    cyclic: list = []
    cyclic.append(cyclic)
    assert to_plain(cyclic) == {"$not_plain": "too large"}


def test_record_calls_records_returns_and_exceptions():
    """Does record_calls record each result, or the exception's name, on copied inputs?"""

    def wilson(k, n):
        if n <= 0:
            raise ValueError("n must be positive")
        return (k / n, np.float64(1.0))

    def mutating(items):
        items.append(1)
        return len(items)

    payload = calls_answer("w", wilson, [(1, 2), (1, 0)])
    assert payload["value"] == {"$calls": [{"returns": [0.5, 1.0]}, {"raises": "ValueError"}]}
    shared = [0]
    assert calls_answer("m", mutating, [(shared,), (shared,)])["value"] == {
        "$calls": [{"returns": 2}, {"returns": 2}]
    }
    assert calls_answer("s", abs, [-2, -3.5])["value"] == {
        "$calls": [{"returns": 2}, {"returns": 3.5}]
    }

    def wrong_error(k, n):
        if n <= 0:
            raise TypeError("n")
        return (k / n, 1.0)

    reference = payload["value"]
    assert same_answer(reference, calls_answer("w", wilson, [(1, 2), (1, 0)])["value"])
    assert not same_answer(reference, calls_answer("w", wrong_error, [(1, 2), (1, 0)])["value"])
    assert not same_answer(reference, calls_answer("w", lambda k, n: AlwaysEqual(),
                                                   [(1, 2), (1, 0)])["value"])  # fmt: skip
    assert not same_answer(reference, {"$calls": [{"returns": [0.5, 1.0]}, {"raises": 1}]})


def test_record_refuses_a_badly_written_test():
    """Does a test cell with a bad key, tolerance or message get a clear error?"""
    with pytest.raises(TypeError, match="key"):
        record("", 1)
    with pytest.raises(TypeError, match="tolerance"):
        answer("x", 1, tolerance=-1)
    with pytest.raises(TypeError, match="message"):
        answer("x", 1, message=3)


def test_answers_are_read_back_from_outputs_by_key():
    """Are answers read from display_data outputs by key, duplicates kept, junk skipped?"""
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "hello"},
        {"output_type": "display_data", "data": {ANSWER_MIME: {"key": "a", "value": 1}}},
        {"output_type": "display_data", "data": {ANSWER_MIME: json.dumps({"key": "b"})}},
        {"output_type": "display_data", "data": {ANSWER_MIME: {"key": "a", "value": 2}}},
        {"output_type": "display_data", "data": {ANSWER_MIME: {"key": 3, "value": 2}}},
        {"output_type": "display_data", "data": {ANSWER_MIME: "not json"}},
        {"output_type": "display_data", "data": {"text/plain": "x"}},
    ]
    assert answers_in(outputs) == {"a": [1, 2], "b": [None]}


@pytest.mark.slow
def test_a_kernel_records_answers_as_display_data_only():
    """In a real kernel, does record emit one display_data output and nothing on stderr?"""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_code_cell(
                "import pandas as pd, numpy as np\n"
                "from course.grading.answers import record, record_calls\n"
                "record('s', pd.Series([np.nan, 1.5], index=['a', 'b']), message='m')\n"
                "record_calls('f', lambda x: 1 / x, [(2,), (0,)])"
            )
        ]
    )
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "display_data"]
    assert list(outputs[0].data) == [ANSWER_MIME]
    found = answers_in(outputs)
    assert found["s"] == [{"$series": {"index": ["a", "b"], "values": [{"$float": "nan"}, 1.5]}}]
    assert found["f"] == [{"$calls": [{"returns": 0.5}, {"raises": "ZeroDivisionError"}]}]
    assert outputs[0].data[ANSWER_MIME]["message"] == "m"
