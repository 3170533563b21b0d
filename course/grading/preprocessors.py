"""Two nbgrader preprocessors, configured in ``grading/nbgrader_config.py``.

- :class:`BudgetedExecute`: nbgrader's ``Execute`` with a time budget per notebook on top of the
  per-cell timeout. A cell that runs out of time is interrupted and the notebook goes on (also
  when the interrupted kernel is slow to answer); once the budget is spent the remaining cells
  are not run and are marked as errors (zero points). The kernel runs in the sandbox of
  :mod:`course.grading.sandbox` (memory, CPU, file size, processes, a private folder, another
  uid when root); each cell keeps at most ``max_output_bytes`` of output. When the kernel dies
  (killed, out of memory, ``os._exit``), the cell it died in is marked as an error, a new kernel
  is started, the earlier code cells are run again (their outputs are kept from the first run)
  and grading goes on with the next cell, so the points earned elsewhere stay.
- :class:`KeepStderrOutOfTests`: nbgrader scores any stderr output in a test cell as zero
  (``nbgrader.utils.determine_grade``), so a correct answer whose code warns when the test calls
  it would lose its points. Our test cells never write to stderr (team convention), so stderr
  seen there comes from the trainee's code: it is kept, but as ordinary output.
"""

from __future__ import annotations

import copy
import json
import time

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer, Unicode

from course.grading.answers import ANSWER_MIME
from course.grading.sandbox import Limits, SandboxedKernelManager, detect

BUDGET_ERROR = "TimeBudgetExceeded"
KERNEL_DIED = "KernelDied"
NOT_RUN = "NotRun"
OUTPUT_CUT = "[output cut: this cell printed more than {limit} bytes]"


class BudgetedExecute(Execute):
    """Execute a notebook with a per-cell timeout and a budget for the whole notebook."""

    notebook_budget = Integer(
        600,
        help="Seconds a whole notebook may run; later cells are skipped and marked as errors.",
    ).tag(config=True)
    sandbox = Unicode(
        "auto",
        help="Sandbox of graded kernels: auto, bwrap, setpriv, limits or off "
        "(course.grading.sandbox; grading/INSTRUCTORS.md says what each guarantees).",
    ).tag(config=True)
    memory_limit_mb = Integer(2048, help="Address space of a graded kernel, in MiB.").tag(
        config=True
    )
    cpu_limit = Integer(
        0, help="CPU seconds of one kernel (0: the notebook budget plus 60 s)."
    ).tag(config=True)
    file_size_limit_mb = Integer(64, help="Largest file a graded kernel may write, in MiB.").tag(
        config=True
    )
    process_limit = Integer(64, help="Processes and threads of a graded kernel (root).").tag(
        config=True
    )
    max_output_bytes = Integer(
        1 << 20, help="Bytes of output kept per cell; the rest is cut with a note."
    ).tag(config=True)
    max_answer_bytes = Integer(
        64 << 20, help="Bytes of one answer recorded by a test cell (course.grading.answers)."
    ).tag(config=True)
    max_kernel_restarts = Integer(
        8, help="Kernel deaths survived per notebook; after that the other cells are not run."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self._output_used: dict[int, int] = {}
        self._output_cut: set[int] = set()
        self.kernel_deaths: list[int] = []

    def create_kernel_manager(self):
        """A kernel manager that launches the kernel in the configured sandbox."""
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.sandbox_mode = detect(self.sandbox)
            km.sandbox_limits = Limits(
                memory_mb=self.memory_limit_mb,
                cpu_seconds=self.cpu_limit or (self.notebook_budget or 600) + 60,
                file_size_mb=self.file_size_limit_mb,
                processes=self.process_limit,
            )
        return km

    def preprocess(self, nb, resources=None, km=None):
        """Execute ``nb`` within its budget, restarting the kernel each time it dies."""
        self._deadline = time.monotonic() + self.notebook_budget if self.notebook_budget else None
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._output_used: dict[int, int] = {}
        self._output_cut: set[int] = set()
        self.kernel_deaths: list[int] = []
        self._started = False
        start = 0
        while True:
            self._current = start
            self._replaying = bool(start)  # a failed restart or a death before the replay ends
            try:
                with self.setup_kernel():
                    info_msg = self.wait_for_reply(self.kc.kernel_info())
                    self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
                    # from here on, any failure (a dead kernel, garbled messages from a forked
                    # one) is the student's: the cell fails, a new kernel goes on
                    self._started = True
                    if start:
                        self._replay(start)
                    for index in range(start, len(self.nb.cells)):
                        self._current = index
                        self.preprocess_cell(self.nb.cells[index], resources, index)
                break
            except Exception as exc:
                if not self._started and not isinstance(exc, DeadKernelError):
                    raise  # the kernel could not start at all: nbgrader reports it
                dead = self._current
                if getattr(self, "_replaying", False):
                    why = "the kernel could not be restarted after it died" + (
                        f" ({type(exc).__name__})" if not isinstance(exc, DeadKernelError) else ""
                    )
                    self._mark_not_run(start, why)
                    break
                self.kernel_deaths.append(dead)
                self.nb.cells[dead].setdefault("outputs", []).append(
                    NotebookNode(
                        output_type="error",
                        ename=KERNEL_DIED,
                        evalue="the kernel died while running this cell (killed, out of memory, "
                        "exited or garbled its messages); it was restarted and the earlier cells "
                        "were run again",
                        traceback=[],
                    )
                )
                start = dead + 1
                if len(self.kernel_deaths) > self.max_kernel_restarts or start >= len(nb.cells):
                    if start < len(nb.cells):
                        self._mark_not_run(start, "the kernel died too often")
                    break
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _is_test_cell(self, index: int) -> bool:
        cells = self.nb.cells if getattr(self, "nb", None) is not None else []
        cell = cells[index] if 0 <= index < len(cells) else {}
        return bool(cell) and utils.is_grade(cell) and not utils.is_solution(cell)

    def _replay(self, stop: int) -> None:
        """Run the code cells before ``stop`` again in a new kernel, keeping their outputs."""
        self._replaying = True
        try:
            for index, cell in enumerate(self.nb.cells[:stop]):
                if cell.cell_type != "code" or index in self.kernel_deaths:
                    continue
                if any(o.get("ename") in (BUDGET_ERROR, NOT_RUN) for o in cell.get("outputs", [])):
                    continue
                self._current = index
                self._output_used.pop(index, None)
                self._output_cut.discard(index)
                self.execute_cell(copy.deepcopy(cell), index, store_history=False)
        finally:
            self._replaying = False

    def _mark_not_run(self, start: int, why: str) -> None:
        for cell in self.nb.cells[start:]:
            if cell.cell_type == "code":
                cell.outputs = [
                    NotebookNode(output_type="error", ename=NOT_RUN, evalue=why, traceback=[])
                ]

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_bytes`` of a cell's output; errors are always kept."""
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":  # an error decides the score: shorten, never drop
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            content["traceback"] = [str(t)[:2000] for t in content.get("traceback", [])[-20:]]
            return super().output(outs, msg, display_id, cell_index)
        if msg.get("msg_type") == "stream":
            size = len(content.get("text", ""))
        else:
            size = len(json.dumps(content.get("data", {}), default=str))
        if ANSWER_MIME in content.get("data", {}) and self._is_test_cell(cell_index):
            # a recorded answer (course.grading.answers) from a locked test cell: the judge needs
            # all of it; it has its own, larger allowance
            if size <= self.max_answer_bytes:
                return super().output(outs, msg, display_id, cell_index)
            content["data"] = {"text/plain": "[answer too large to record]"}
            size = 0
        used = self._output_used.get(cell_index, 0)
        self._output_used[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if cell_index in self._output_cut:
            return None
        self._output_cut.add(cell_index)
        if msg.get("msg_type") == "stream":
            content["text"] = content.get("text", "")[: max(0, self.max_output_bytes - used)]
            super().output(outs, msg, display_id, cell_index)
        note = NotebookNode(
            output_type="stream", name="stdout", text=OUTPUT_CUT.format(limit=self.max_output_bytes)
        )
        outs.append(note)
        return None

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
        limit = self._get_timeout(cell)
        self._output_used.pop(index, None)
        self._output_cut.discard(index)
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:
            # After interrupting a cell, nbclient waits a while for its last output; on a busy
            # machine that wait can run out, and nbgrader would then give up on the whole
            # notebook. The cell already failed: record it and go on with the next one. (The
            # exception's text gives the wait for output, not the cell's limit: say the limit.)
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="CellTimeoutError",
                    evalue=f"stopped: the cell ran longer than its limit of {limit} s",
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
