"""nbgrader for a trainee's server: the course and its exchange, nothing else.

Found through JUPYTER_CONFIG_PATH, which the hub's pre_spawn_hook points here for trainees.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets)
c.CourseDirectory.course_id = "cm_course"
c.Exchange.root = os.environ["COURSE_EXCHANGE"]
