"""nbgrader configuration of the course (read by `nbgrader …` run from this folder, and by
`course grade …` from anywhere in the repository).

Paths are relative to this file, so the repository can live anywhere. The gradebook is SQLite
(grading/gradebook.db) unless COURSE_GRADEBOOK_URL gives another SQLAlchemy URL, e.g.
postgresql://grader@db/cm_course on a JupyterHub. COURSE_EXCHANGE sets the exchange folder.
"""

import os
from pathlib import Path

from course.grading.settings import apply_grading_defaults

c = get_config()  # noqa: F821 (provided by traitlets when it reads this file)
here = Path(__file__).resolve().parent

apply_grading_defaults(c)  # timeouts, restoring deleted test cells, warnings vs stderr

c.CourseDirectory.root = str(here)
c.CourseDirectory.source_directory = os.path.relpath(here.parent / "exercises" / "source", here)
c.CourseDirectory.db_url = os.environ.get("COURSE_GRADEBOOK_URL") or (
    f"sqlite:///{here / 'gradebook.db'}"
)
if os.environ.get("COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_EXCHANGE"]

# Per-cell timeout (seconds) and budget for a whole notebook; `course grade autograde
# --timeout/--budget` override them for one run.
c.Execute.timeout = 30
c.BudgetedExecute.notebook_budget = 600
# The sandbox of graded kernels (grading/INSTRUCTORS.md, "Sandbox and threat model"): the mode
# (auto, bwrap, setpriv, limits, off) and the limits of one kernel.
c.BudgetedExecute.sandbox = "auto"
c.BudgetedExecute.memory_limit_mb = 2048
c.BudgetedExecute.max_output_bytes = 1 << 20
