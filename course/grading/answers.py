"""Recorded answers: the student's kernel records plain data, the grader compares it.

A hidden test never compares in the student's kernel (the student controls that kernel: a
patched built-in, a patched course function or an object whose ``__eq__`` is always true would
make any ``assert`` pass). It **records** the answer instead:

    from course.grading.answers import record, record_calls

    record("share_of_women", share_of_women, tolerance=1e-6)
    record_calls("wilson", wilson, [(300, 577, 1.96), (1, 0)])

Kernel side, :func:`record` converts the value to *plain data* (see :func:`to_plain`) and emits it
as a ``display_data`` output of type :data:`ANSWER_MIME`; nothing goes to stderr. Grader side,
:func:`answers_in` reads those outputs back and :func:`same_answer` compares a submission's answer
with the reference recorded by the solution, in the grader's own process. Nothing a student's
object does can take part in that comparison: the grader only ever sees JSON data.

Plain form (what :func:`to_plain` returns, JSON-compatible): ``None``, ``bool``, ``int``, finite
``float``, ``str`` and lists of plain values stand for themselves; every dict is a tag with a
single key:

- ``{"$float": "nan" | "inf" | "-inf"}``: a float JSON cannot hold;
- ``{"$dict": [[key, value], ...]}``: a dict (keys plain too);
- ``{"$time": "2026-01-31T00:00:00"}``: a date, datetime or pandas Timestamp;
- ``{"$series": {"index": [...], "values": [...]}}``: a pandas Series (its name is ignored);
- ``{"$frame": {"index": [...], "columns": [...], "rows": [[...], ...]}}``: a DataFrame;
- ``{"$calls": [{"returns": value} | {"raises": "ValueError"}, ...]}``: :func:`record_calls`;
- ``{"$not_plain": "<type name>"}``: anything else (a subclass of a plain type, a function, a
  module, an object of the student's class), which never equals any reference.

Tuples become lists and numpy arrays nested lists; numpy scalars become their Python values.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import sys
from collections.abc import Iterable, Mapping
from typing import Any

ANSWER_MIME = "application/vnd.cm-course.answer+json"
DEFAULT_TOLERANCE = 1e-9
# Deeper or larger answers are not plain data: no course answer comes near these sizes.
MAX_DEPTH = 40
MAX_ITEMS = 1_000_000


class _TooLarge(Exception):
    """The value is deeper or larger than any answer the course asks for."""


# ---------------------------------------------------------------------------------------------
# Kernel side: conversion to plain data and emission


def _not_plain(value: Any) -> dict:
    name = getattr(type(value), "__qualname__", "object")
    return {"$not_plain": str(name)[:80] if type(name) is str else "object"}


def _numpy_scalar(value: Any, np: Any) -> Any:
    """The Python value of a numpy bool, integer or float scalar, or ``_MISSING``."""
    kind = type(value)
    if kind is np.bool_:
        return bool(value)
    if issubclass(kind, np.integer) and kind.__module__ == "numpy":
        return int(value)
    if issubclass(kind, np.floating) and kind.__module__ == "numpy":
        return _float(float(value))
    return _MISSING


_MISSING = object()


def _float(value: float) -> Any:
    if math.isnan(value):
        return {"$float": "nan"}
    if math.isinf(value):
        return {"$float": "inf" if value > 0 else "-inf"}
    return value


class _Converter:
    """One conversion, counting items so that a huge or cyclic value stops early."""

    def __init__(self) -> None:
        self.items = 0
        self.np = sys.modules.get("numpy")
        self.pd = sys.modules.get("pandas")

    def convert(self, value: Any, depth: int = 0) -> Any:
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise _TooLarge
        kind = type(value)  # exact types only: a subclass may carry its own __eq__
        if value is None or kind is bool or kind is int or kind is str:
            return value
        if kind is float:
            return _float(value)
        if kind is list or kind is tuple:
            return [self.convert(item, depth + 1) for item in value]
        if kind is dict:
            pairs = [
                [self.convert(k, depth + 1), self.convert(v, depth + 1)] for k, v in value.items()
            ]
            return {"$dict": pairs}
        if kind is _dt.date or kind is _dt.datetime:
            return {"$time": value.isoformat()}
        np, pd = self.np, self.pd
        if np is not None:
            if kind is np.ndarray:
                return self.convert(value.tolist(), depth)
            scalar = _numpy_scalar(value, np)
            if scalar is not _MISSING:
                return scalar
            if kind is np.datetime64:
                return self.convert(pd.Timestamp(value) if pd else value.item(), depth)
        if pd is not None:
            if kind is pd.Timestamp:
                return {"$time": value.isoformat()}
            if value is pd.NaT or value is pd.NA:
                return None
            if kind is pd.Series:
                return {
                    "$series": {
                        "index": self._labels(value.index, depth),
                        "values": [self.convert(v, depth + 2) for v in value.tolist()],
                    }
                }
            if kind is pd.DataFrame:
                rows = value.to_numpy(dtype=object).tolist()
                return {
                    "$frame": {
                        "index": self._labels(value.index, depth),
                        "columns": self._labels(value.columns, depth),
                        "rows": [[self.convert(v, depth + 3) for v in row] for row in rows],
                    }
                }
        return _not_plain(value)

    def _labels(self, index: Any, depth: int) -> list:
        # a MultiIndex gives tuples, which become lists
        return [self.convert(label, depth + 2) for label in index.tolist()]


def to_plain(value: Any) -> Any:
    """Convert a value to plain JSON data (the module docstring lists the forms).

    Args:
        value: any Python value.

    Returns:
        The plain form; ``{"$not_plain": name}`` for a value (or a part of it) that is not plain
        data, and for one nested deeper than 40 levels or holding over a million items.
    """
    try:
        return _Converter().convert(value)
    except (_TooLarge, RecursionError):
        return {"$not_plain": "too large"}


def _emit(payload: dict) -> None:
    """Publish ``payload`` as a display_data output (outside IPython: nothing)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in a kernel
        return
    if get_ipython() is not None:
        from IPython.display import display

        display({ANSWER_MIME: payload}, raw=True)


def _check_settings(key: Any, tolerance: Any, message: Any) -> None:
    if type(key) is not str or not key:
        raise TypeError("record: the key must be a non-empty string")
    if type(tolerance) not in (int, float) or not tolerance >= 0:
        raise TypeError("record: the tolerance must be a number >= 0")
    if message is not None and type(message) is not str:
        raise TypeError("record: the message must be a string or None")


def answer(
    key: str,
    value: Any,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    ordered: bool = True,
    message: str | None = None,
) -> dict:
    """The payload :func:`record` emits (same arguments); nothing is emitted.

    Args:
        key: the answer's name, unique in its test cell.
        value: plain data (None, bool, int, float, str, lists, tuples and dicts of them, numpy
            scalars and arrays, pandas Series and DataFrames); anything else is recorded as
            "not plain data" and fails.
        tolerance: absolute tolerance on every number (the reference's value is the one used).
        ordered: ``False`` compares lists as multisets and Series/DataFrames whatever their row
            order (the reference's value is the one used).
        message: the feedback a student sees when the answer is wrong, written by the course and
            never giving the answer (the reference's message is the one used).

    Returns:
        The payload: ``{"key", "value", "tolerance", "ordered", "message"}``.

    Raises:
        TypeError: a key, tolerance or message of the wrong kind (a mistake in the test cell).
    """
    _check_settings(key, tolerance, message)
    payload = {
        "key": key,
        "value": to_plain(value),
        "tolerance": float(tolerance),
        "ordered": bool(ordered),
        "message": message,
    }
    return payload


def record(
    key: str,
    value: Any,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    ordered: bool = True,
    message: str | None = None,
) -> None:
    """Record an answer for the grader, which compares it with the solution's.

    Emits one ``display_data`` output of type :data:`ANSWER_MIME` (see :func:`answer`); returns
    nothing, so that a test cell ending with a call shows no result.

    Args:
        key: the answer's name, unique in its test cell.
        value: plain data (None, bool, int, float, str, lists, tuples and dicts of them, numpy
            scalars and arrays, pandas Series and DataFrames); anything else is recorded as
            "not plain data" and fails.
        tolerance: absolute tolerance on every number (the reference's value is the one used).
        ordered: ``False`` compares lists as multisets and Series/DataFrames whatever their row
            order (the reference's value is the one used).
        message: the feedback a student sees when the answer is wrong, written by the course and
            never giving the answer (the reference's message is the one used).

    Raises:
        TypeError: a key, tolerance or message of the wrong kind (a mistake in the test cell).
    """
    _emit(answer(key, value, tolerance=tolerance, ordered=ordered, message=message))


def calls_answer(
    key: str,
    function: Any,
    cases: Iterable,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    message: str | None = None,
) -> dict:
    """The payload :func:`record_calls` emits (same arguments); nothing is emitted.

    Each case is a tuple of positional arguments (any other value is one single argument), and
    is deep-copied before the call so that a function that changes its inputs cannot change the
    next case. A call that raises records the exception's class name instead of a value.

    Args:
        key: the answer's name, unique in its test cell.
        function: the student's function.
        cases: the argument tuples.
        tolerance: absolute tolerance on every number of every result.
        message: the feedback a student sees when a result is wrong.

    Returns:
        The payload, its value being ``{"$calls": [...]}``.

    Raises:
        TypeError: a key, tolerance or message of the wrong kind.
    """
    _check_settings(key, tolerance, message)
    results: list = []
    for case in cases:
        args = copy.deepcopy(case if type(case) is tuple else (case,))
        try:
            outcome = {"returns": to_plain(function(*args))}
        except Exception as exc:  # the exception is the answer; KeyboardInterrupt still stops
            outcome = {"raises": str(getattr(type(exc), "__name__", "Exception"))[:80]}
        results.append(outcome)
    payload = {
        "key": key,
        "value": {"$calls": results},
        "tolerance": float(tolerance),
        "ordered": True,
        "message": message,
    }
    return payload


def record_calls(
    key: str,
    function: Any,
    cases: Iterable,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    message: str | None = None,
) -> None:
    """Call a student's function on given inputs and record what each call gave.

    Each case is a tuple of positional arguments (any other value is one single argument), and
    is deep-copied before the call so that a function that changes its inputs cannot change the
    next case. A call that raises records the exception's class name instead of a value.

    Args:
        key: the answer's name, unique in its test cell.
        function: the student's function.
        cases: the argument tuples.
        tolerance: absolute tolerance on every number of every result.
        message: the feedback a student sees when a result is wrong.

    Raises:
        TypeError: a key, tolerance or message of the wrong kind.
    """
    _emit(calls_answer(key, function, cases, tolerance=tolerance, message=message))


# ---------------------------------------------------------------------------------------------
# Grader side: reading recorded answers back and comparing them, in the grader's process


def answer_payloads(outputs: Iterable[Mapping]) -> dict[str, list[dict]]:
    """The answer payloads a cell's outputs hold, by key (untrusted: read, never executed).

    Args:
        outputs: a code cell's outputs (nbformat dicts).

    Returns:
        ``{key: [payload, ...]}``, one payload per time the key was recorded, in output order.
        A malformed answer output (not a dict, a key that is not a string) is skipped.
    """
    found: dict[str, list[dict]] = {}
    for output in outputs:
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        data = output.get("data") or {}
        if ANSWER_MIME not in data:
            continue
        payload = data[ANSWER_MIME]
        try:
            # through JSON text: plain dicts and lists (nbformat hands out NotebookNode, a dict
            # subclass), and nothing but JSON data
            text = payload if isinstance(payload, str) else json.dumps(payload, allow_nan=False)
            payload = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            continue
        if type(payload) is not dict or type(payload.get("key")) is not str:
            continue
        found.setdefault(payload["key"], []).append(payload)
    return found


def answers_in(outputs: Iterable[Mapping]) -> dict[str, list[Any]]:
    """The answers a cell's outputs record, by key.

    Args:
        outputs: a code cell's outputs (nbformat dicts).

    Returns:
        ``{key: [value, ...]}``, one value per time the key was recorded, in output order.
    """
    return {
        key: [payload.get("value") for payload in payloads]
        for key, payloads in answer_payloads(outputs).items()
    }


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def same_answer(
    expected: Any,
    actual: Any,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    ordered: bool = True,
) -> bool:
    """Compare a recorded answer with its reference, both in plain form.

    Pure and total: the walk follows ``expected`` (the trusted reference), so a malformed,
    huge or deeply nested ``actual`` only ever gives ``False``.

    Args:
        expected: the reference's plain value (from the solution).
        actual: the submission's plain value (untrusted JSON data).
        tolerance: absolute tolerance on every number.
        ordered: ``False`` compares lists as multisets and Series/DataFrames whatever their
            row order.

    Returns:
        Whether the answers are equal: numbers within the tolerance (NaN equals NaN, an
        infinity only itself), strings, booleans and None exactly, lists element by element
        (or as multisets), dicts by their keys, Series and DataFrames by index, columns and
        values. ``{"$not_plain": ...}`` equals nothing.
    """
    try:
        return _same(expected, actual, float(tolerance), bool(ordered))
    except (RecursionError, TypeError, ValueError, OverflowError, KeyError, AttributeError):
        return False


def _same(e: Any, a: Any, tol: float, ordered: bool) -> bool:
    if e is None:
        return a is None
    if type(e) is bool:
        return type(a) is bool and a == e
    if _is_number(e):
        if not _is_number(a) or type(a) is bool:
            return False
        return abs(a - e) <= tol
    if type(e) is str:
        return type(a) is str and a == e
    if type(e) is list:
        return type(a) is list and _same_list(e, a, tol, ordered)
    if type(e) is dict and len(e) == 1:
        ((tag, body),) = e.items()
        if type(a) is not dict or len(a) != 1 or tag not in a:
            return False
        other = a[tag]
        if tag in ("$float", "$time"):
            return type(other) is str and other == body
        if tag == "$dict":
            return _same_dict(body, other, tol, ordered)
        if tag == "$series":
            return _same_series(body, other, tol, ordered)
        if tag == "$frame":
            return _same_frame(body, other, tol, ordered)
        if tag == "$calls":
            return _same_calls(body, other, tol)
    return False  # "$not_plain", or a reference the grader does not know


def _same_list(e: list, a: list, tol: float, ordered: bool) -> bool:
    if len(a) != len(e):
        return False
    if ordered:
        return all(_same(x, y, tol, ordered) for x, y in zip(e, a, strict=True))
    unused = list(range(len(a)))
    for x in e:
        for position, i in enumerate(unused):
            if _same(x, a[i], tol, ordered):
                del unused[position]
                break
        else:
            return False
    return True


def _pairs(body: Any) -> list | None:
    if type(body) is not list or not all(type(p) is list and len(p) == 2 for p in body):
        return None
    return body


def _same_dict(e: Any, a: Any, tol: float, ordered: bool) -> bool:
    e_pairs, a_pairs = _pairs(e), _pairs(a)
    if e_pairs is None or a_pairs is None or len(a_pairs) != len(e_pairs):
        return False
    # keys exactly (as JSON text), values with the tolerance; dicts never depend on order
    a_by_key = {}
    for k, v in a_pairs:
        a_by_key[json.dumps(k, sort_keys=True)] = v
    if len(a_by_key) != len(a_pairs):
        return False
    for k, v in e_pairs:
        text = json.dumps(k, sort_keys=True)
        if text not in a_by_key or not _same(v, a_by_key[text], tol, ordered):
            return False
    return True


def _same_rows(e_index, e_rows, a_index, a_rows, tol: float, ordered: bool) -> bool:
    """Compare labelled rows: in order, or as a multiset of (label, row) pairs."""
    if type(a_index) is not list or type(a_rows) is not list:
        return False
    if len(a_index) != len(e_index) or len(a_rows) != len(e_rows):
        return False
    expected = list(zip(e_index, e_rows, strict=True))
    actual = list(zip(a_index, a_rows, strict=True))

    def same_row(x, y) -> bool:
        # labels exactly: a tolerance on a label could pair the wrong rows
        return _same(x[0], y[0], 0.0, True) and _same(x[1], y[1], tol, ordered)

    if ordered:
        return all(same_row(x, y) for x, y in zip(expected, actual, strict=True))
    unused = list(range(len(actual)))
    for x in expected:
        for position, i in enumerate(unused):
            if same_row(x, actual[i]):
                del unused[position]
                break
        else:
            return False
    return True


def _same_series(e: Any, a: Any, tol: float, ordered: bool) -> bool:
    if type(a) is not dict:
        return False
    return _same_rows(e["index"], e["values"], a.get("index"), a.get("values"), tol, ordered)


def _same_frame(e: Any, a: Any, tol: float, ordered: bool) -> bool:
    if type(a) is not dict or type(a.get("columns")) is not list or type(a.get("rows")) is not list:
        return False
    columns = [json.dumps(c, sort_keys=True) for c in e["columns"]]
    theirs = [json.dumps(c, sort_keys=True) for c in a["columns"]]
    if sorted(columns) != sorted(theirs) or len(set(theirs)) != len(theirs):
        return False
    # the same columns in any order: put the submission's in the reference's order
    where = [theirs.index(c) for c in columns]
    rows = []
    for row in a["rows"]:
        if type(row) is not list or len(row) != len(theirs):
            return False
        rows.append([row[i] for i in where])
    return _same_rows(e["index"], e["rows"], a.get("index"), rows, tol, ordered)


def _same_calls(e: Any, a: Any, tol: float) -> bool:
    if type(a) is not list or len(a) != len(e):
        return False
    for x, y in zip(e, a, strict=True):
        if type(y) is not dict or len(y) != 1:
            return False
        if "raises" in x:
            if y.get("raises") != x["raises"] or type(y.get("raises")) is not str:
                return False
        elif "returns" not in y or not _same(x["returns"], y["returns"], tol, True):
            return False
    return True
