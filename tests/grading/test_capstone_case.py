"""The capstone's second case reaches a graded kernel: `COURSE_CAPSTONE_SCENARIO=capstone-b` and
the scenario cache pass through the sandbox, so a class can be given case b and graded on it."""

from __future__ import annotations

import os

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course import data
from course.grading.preprocessors import BudgetedExecute

pytestmark = pytest.mark.slow


def test_graded_kernel_loads_the_case_the_instructor_chose(tmp_path, monkeypatch):
    """Does a sandboxed kernel read case b when the grader's environment names it?"""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_CACHE", str(cache))
    data.build(scenario="capstone-b", progress=False)
    for folder in (tmp_path, cache, cache / "capstone-b"):
        os.chmod(folder, 0o755)  # a kernel may run as its own uid: it must read the files
    monkeypatch.setenv("COURSE_CAPSTONE_SCENARIO", "capstone-b")
    code = (
        "from course import capstone\n"
        "case = capstone.load_case()\n"
        "print(capstone.brief(case['brief'])['organisation'], len(case['people']))"
    )
    nb = new_notebook(cells=[new_code_cell(code)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    work = tmp_path / "submission"
    work.mkdir()
    BudgetedExecute(timeout=60, allow_errors=True).preprocess(nb, {"metadata": {"path": str(work)}})
    text = "".join(str(o.get("text", "")) + str(o.get("ename", "")) for o in nb.cells[0].outputs)
    assert text.strip() == "Lumio 5200", text
