"""Notebook hygiene and execution, shared by the tests, the git hook and the benchmarks.

``python -m course.nbtools clean FILE...`` strips outputs, execution counts and editor metadata
(keeping nbgrader's); ``python -m course.nbtools check FILE...`` exits 1 when a file needs it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

# Cell metadata worth keeping; the rest (collapsed, scrolled, ExecuteTime, …) is editor state.
KEEP_CELL_METADATA = {"nbgrader", "tags", "editable", "deletable", "slideshow", "jupyter"}
KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info", "nbgrader", "voila", "celltoolbar"}


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What is wrong with a committed notebook: outputs, counts, old format, missing cell ids."""
    found = []
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        found.append(f"nbformat {nb.nbformat}.{nb.nbformat_minor}, expected 4.5")
    for index, cell in enumerate(nb.cells):
        if "id" not in cell:
            found.append(f"cell {index} has no id")
        if cell.cell_type == "code":
            if cell.get("outputs"):
                found.append(f"cell {index} has outputs")
            if cell.get("execution_count") is not None:
                found.append(f"cell {index} has an execution count")
        extra = set(cell.get("metadata", {})) - KEEP_CELL_METADATA
        if extra:
            found.append(f"cell {index} has editor metadata {sorted(extra)}")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        found.append(f"invalid nbformat: {exc.message}")
    return found


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook without outputs, counts and editor metadata, upgraded to 4.5 with ids."""
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        nb = nbformat.v4.upgrade(nb, from_version=nb.nbformat, from_minor=nb.nbformat_minor)
        nb.nbformat_minor = 5
    for cell in nb.cells:
        if "id" not in cell:
            cell["id"] = nbformat.v4.new_code_cell().id
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata = {
            k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA
        }
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    return nb


@dataclass
class Execution:
    """The executed notebook and how long each cell took."""

    notebook: nbformat.NotebookNode
    seconds: float
    cell_seconds: list[float]


def execute(path: str | Path, timeout: int = 120, cwd: str | Path | None = None) -> Execution:
    """Run a notebook top to bottom in a fresh kernel, failing on the first error.

    Args:
        path: the notebook.
        timeout: seconds allowed per cell.
        cwd: working directory of the kernel (default: the notebook's folder).

    Returns:
        The executed notebook and timings.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell raised; the message names the cell.
        nbclient.exceptions.CellTimeoutError: a cell ran longer than ``timeout``.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd or path.parent)}},
    )
    starts: list[float] = []
    client.on_cell_execute = lambda **_: starts.append(time.perf_counter())
    begin = time.perf_counter()
    client.execute()
    end = time.perf_counter()
    marks = [*starts, end]
    return Execution(nb, end - begin, [b - a for a, b in itertools.pairwise(marks)])


def main(argv: list[str] | None = None) -> int:
    """``python -m course.nbtools clean|check FILE...``."""
    parser = argparse.ArgumentParser(
        prog="python -m course.nbtools", description=__doc__.splitlines()[0]
    )
    parser.add_argument("action", choices=["clean", "check"])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        nb = nbformat.read(path, as_version=4)
        if args.action == "clean":
            cleaned = clean(nb)
            nbformat.write(cleaned, path)
        else:
            for problem in problems(nb):
                print(f"{path}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
