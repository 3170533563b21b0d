"""The practice log: one row per check, hint or solution shown, in a local SQLite file.

It depends on nothing else in the course, so the checks can write to it and
:mod:`course.tracking` can summarise it without importing each other.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pandas as pd

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    module TEXT NOT NULL,
    question TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('check', 'hint', 'solution')),
    outcome TEXT
)
"""


def database_path() -> Path:
    """Where progress is recorded: ``$COURSE_PROGRESS_DB`` or the user data directory."""
    override = os.environ.get("COURSE_PROGRESS_DB")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("cm-course", appauthor=False)) / "progress.sqlite"


def _connect() -> sqlite3.Connection:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=5)
    connection.execute(_SCHEMA)
    return connection


def record(module: str, question: str, action: str, outcome: str | None = None) -> None:
    """Record one practice event.

    Args:
        module: lesson name, e.g. ``"m1_roles"``.
        question: question name, e.g. ``"q3"``.
        action: ``"check"``, ``"hint"`` or ``"solution"``.
        outcome: for a check, ``"correct"``, ``"incorrect"`` or ``"not attempted"``.
    """
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with _connect() as connection:
        connection.execute(
            "INSERT INTO events (at, module, question, action, outcome) VALUES (?, ?, ?, ?, ?)",
            (now, module, question, action, outcome),
        )
    connection.close()


def events() -> pd.DataFrame:
    """Every recorded event, oldest first."""
    connection = _connect()
    try:
        return pd.read_sql_query(
            "SELECT at, module, question, action, outcome FROM events ORDER BY id", connection
        )
    finally:
        connection.close()
