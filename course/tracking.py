"""Local record of practice: every check, hint and solution, in a small SQLite file.

The file lives in the user's data directory (never in the repository); ``COURSE_PROGRESS_DB``
points elsewhere, for tests or a shared machine. ``course progress`` and ``course.progress()``
read it back as done / tried / not started per lesson, with the next thing to do.

- **done**: a check said correct (a question to think about: its model answer was read);
- **tried**: a check said incorrect, or a hint or the solution was asked for;
- **not started**: nothing, or only checks that found the placeholder ``____`` ("not attempted").
"""

from __future__ import annotations

import argparse

import pandas as pd

from course.progress_log import database_path, events, record  # noqa: F401 (public API)

NOT_STARTED = "not started"


def _question_state(group: pd.DataFrame) -> str:
    checks = group[group["action"] == "check"]
    if (checks["outcome"] == "correct").any():
        return "done"
    # A check that only found the placeholder is not an attempt: the trainee has not answered.
    attempted = (checks["outcome"] == "incorrect").any() or (group["action"] != "check").any()
    return "tried" if attempted else NOT_STARTED


def summary(module: str | None = None) -> pd.DataFrame:
    """Progress per lesson, or per question of one lesson.

    Args:
        module: ``None`` for every lesson; a lesson name for its questions.

    Returns:
        Per lesson: columns ``module``, ``questions``, ``done``, ``tried``, ``not_started``,
        ``status``. Per question: ``question``, ``status``, ``checks``, ``hints``, ``solution_seen``.
    """
    from course.checks import ThoughtProblem, module_names, questions

    log = events()
    if module is not None:
        rows = []
        for number, cls in enumerate(questions(module), start=1):
            name = f"q{number}"
            mine = log[(log["module"] == module) & (log["question"] == name)]
            state = _question_state(mine)
            if issubclass(cls, ThoughtProblem) and (mine["action"] == "solution").any():
                state = "done"
            rows.append(
                {
                    "question": name,
                    "status": state,
                    "checks": int((mine["action"] == "check").sum()),
                    "hints": int((mine["action"] == "hint").sum()),
                    "solution_seen": bool((mine["action"] == "solution").any()),
                }
            )
        return pd.DataFrame(
            rows, columns=["question", "status", "checks", "hints", "solution_seen"]
        )
    rows = []
    for name in module_names():
        per_question = summary(name)
        counts = per_question["status"].value_counts()
        total = len(per_question)
        done, tried = int(counts.get("done", 0)), int(counts.get("tried", 0))
        status = "done" if total and done == total else ("tried" if done or tried else NOT_STARTED)
        rows.append(
            {
                "module": name,
                "questions": total,
                "done": done,
                "tried": tried,
                "not_started": total - done - tried,
                "status": status,
            }
        )
    return pd.DataFrame(
        rows, columns=["module", "questions", "done", "tried", "not_started", "status"]
    )


def next_step(module: str | None = None) -> str:
    """The next thing to do, in one sentence.

    Args:
        module: one lesson; ``None`` looks through the lessons in order.

    Returns:
        For example ``"Next: m1_roles q3, tried: q3.hint() gives a hint, then q3.check()."``
    """
    from course.checks import module_names

    for name in [module] if module else module_names():
        table = summary(name)
        todo = table[table["status"] != "done"]
        tried = todo[todo["status"] == "tried"]
        if not tried.empty:  # finish what was started before opening something new
            q = tried.iloc[0]["question"]
            return f"Next: {name} {q}, tried: {q}.hint() gives a hint, then {q}.check() again."
        if not todo.empty:
            q = todo.iloc[0]["question"]
            return f"Next: {name} {q}, not started: answer it, then run {q}.check()."
    if module:
        return f"{module}: every practice question is done. Next: its graded assignment."
    return "Every practice question is done. Next: the graded assignments, then submit them."


class ProgressView:
    """What ``course.progress()`` shows in a notebook: the table and the next thing to do.

    Behaves like its table (``view["status"]``, ``view.set_index(...)``) for code that reads it.

    Attributes:
        table: the :func:`summary` table.
        next: the :func:`next_step` sentence.
    """

    def __init__(self, module: str | None = None):
        self.table = summary(module)
        self.next = next_step(module)

    def __getattr__(self, name: str):
        return getattr(self.table, name)

    def __getitem__(self, key):
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"{self.table.to_string(index=False)}\n\n{self.next}"

    def _repr_html_(self) -> str:
        import html

        return f"{self.table.to_html(index=False)}<p><strong>{html.escape(self.next)}</strong></p>"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``course progress``."""
    parser.add_argument("module", nargs="?", help="a lesson name, e.g. m1_roles (default: all)")
    parser.add_argument("--reset", action="store_true", help="forget all recorded progress")


def run(args: argparse.Namespace) -> int:
    """Print the progress table."""
    if args.reset:
        path = database_path()
        if path.exists():
            path.unlink()
        print(f"progress reset ({path})")
        return 0
    try:
        table = summary(args.module)
    except KeyError as exc:
        print(exc.args[0])
        return 2
    print(table.to_string(index=False))
    print(f"\n{next_step(args.module)}")
    print(f"(recorded in {database_path()})")
    return 0
