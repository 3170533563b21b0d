"""nbgrader for an instructor's server: the course's own grading configuration.

Found through JUPYTER_CONFIG_PATH, which the hub's pre_spawn_hook points here for the
`instructors` group. It loads grading/nbgrader_config.py of the instructors' clone (course root,
sources, gradebook from COURSE_GRADEBOOK_URL, exchange from COURSE_EXCHANGE), so that formgrader,
plain `nbgrader` and `course grade` agree.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets)
load_subconfig(str(Path(os.environ["COURSE_GRADING_DIR"]) / "nbgrader_config.py"))  # noqa: F821
