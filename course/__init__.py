"""Community management course: data, practice checks, domain functions, grading and assessment.

The notebooks in ``modules/`` and ``dashboards/`` only wire together what lives here.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "progress"]


def progress(module: str | None = None):
    """Show what is done, tried or not started, per module (or for one module), and what is next.

    Args:
        module: a module name such as ``"m1_roles"``; ``None`` shows every module.

    Returns:
        A :class:`course.tracking.ProgressView`: the table (one row per module, or per question
        when ``module`` is given) and the next thing to do; it reads like the table.
    """
    from course import tracking

    return tracking.ProgressView(module)
