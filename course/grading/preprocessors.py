"""Two nbgrader preprocessors, configured in ``grading/nbgrader_config.py``.

- :class:`BudgetedExecute`: nbgrader's ``Execute`` with a time budget per notebook on top of the
  per-cell timeout. A cell that runs out of time is interrupted and the notebook goes on (also
  when the interrupted kernel is slow to answer); once the budget is spent the remaining cells
  are not run and are marked as errors (zero points).
- :class:`KeepStderrOutOfTests`: nbgrader scores any stderr output in a test cell as zero
  (``nbgrader.utils.determine_grade``), so a correct answer whose code warns when the test calls
  it would lose its points. Our test cells never write to stderr (team convention), so stderr
  seen there comes from the trainee's code: it is kept, but as ordinary output.
"""

from __future__ import annotations

import time

from nbclient.exceptions import CellTimeoutError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

BUDGET_ERROR = "TimeBudgetExceeded"


class BudgetedExecute(Execute):
    """Execute a notebook with a per-cell timeout and a budget for the whole notebook."""

    notebook_budget = Integer(
        600,
        help="Seconds a whole notebook may run; later cells are skipped and marked as errors.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        """Execute ``nb``, starting the notebook's clock."""
        self._deadline = time.monotonic() + self.notebook_budget if self.notebook_budget else None
        return super().preprocess(nb, resources, km)

    def _remaining(self) -> float | None:
        deadline = getattr(self, "_deadline", None)
        return None if deadline is None else deadline - time.monotonic()

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        remaining = self._remaining()
        if remaining is None:
            return timeout
        # never below one second, so a cell started just in time still gets a chance
        remaining = max(1, int(remaining + 0.999))
        return remaining if timeout is None else min(timeout, remaining)

    def preprocess_cell(self, cell, resources, index):
        """Run one cell, or mark it as not run when the notebook's budget is spent."""
        remaining = self._remaining()
        if cell.cell_type == "code" and remaining is not None and remaining <= 0:
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename=BUDGET_ERROR,
                    evalue=f"not run: the notebook used its {self.notebook_budget} s budget",
                    traceback=[],
                )
            ]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError as exc:
            # After interrupting a cell, nbclient waits a while for its last output; on a busy
            # machine that wait can run out, and nbgrader would then give up on the whole
            # notebook. The cell already failed: record it and go on with the next one.
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="CellTimeoutError",
                    evalue=str(exc).splitlines()[0],
                    traceback=[],
                )
            )
            return cell, resources


class KeepStderrOutOfTests(NbGraderPreprocessor):
    """Turn stderr output of test cells into stdout, so that only errors fail a test."""

    def preprocess_cell(self, cell, resources, cell_index):
        """Relabel the stderr streams of an autograded test cell."""
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources
