"""Where the nbgrader course lives, and the configuration every grading step shares.

``grading/nbgrader_config.py`` is the single source of truth for plain ``nbgrader`` commands; it
calls :func:`apply_grading_defaults` so that ``nbgrader autograde`` and ``course grade autograde``
grade exactly alike. :class:`Course` reads that file (or is built directly, for tests and the
demo) and hands out nbgrader API objects configured for it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

COURSE_ID = "cm_course"
CONFIG_NAME = "nbgrader_config.py"
DEFAULT_CELL_TIMEOUT = 30
DEFAULT_NOTEBOOK_BUDGET = 600

# Run after execution and before SaveAutoGrades, so a warning never reaches the scorer.
# JudgeRecordedAnswers judges test cells on their recorded answers, in this process, and leaves
# them course-written outputs only (course.grading.judge).
AUTOGRADE_PREPROCESSORS = [
    "course.grading.preprocessors.BudgetedExecute",
    "course.grading.judge.JudgeRecordedAnswers",
    "course.grading.preprocessors.KeepStderrOutOfTests",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def apply_grading_defaults(c: Config) -> Config:
    """Set the grading behaviour shared by ``nbgrader`` and ``course grade``.

    Args:
        c: the configuration object of an ``nbgrader_config.py`` (modified in place).

    Returns:
        The same configuration object.
    """
    c.CourseDirectory.course_id = COURSE_ID
    # A deleted test cell is put back from the gradebook instead of staying "needs grading".
    c.OverwriteCells.add_missing_cells = True
    c.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
    c.Execute.timeout = DEFAULT_CELL_TIMEOUT
    c.Execute.interrupt_on_timeout = True
    # After an interrupt, a loaded machine can take more than nbclient's 4 s to send the
    # cell's last output; nbgrader then fails the whole notebook instead of grading the rest.
    c.Execute.iopub_timeout = 20
    c.BudgetedExecute.notebook_budget = DEFAULT_NOTEBOOK_BUDGET
    # `nbgrader generate_feedback` and formgrader's button write the course's leak-proof page
    # (course.grading.feedback), never the autograded notebook with its hidden tests.
    c.GenerateFeedback.exporter_class = "course.grading.feedback.CourseFeedbackExporter"
    c.GenerateFeedback.preprocessors = []
    return c


def ensure_tools_on_path() -> None:
    """Put this interpreter's ``bin/`` first on ``PATH`` for nbgrader's subprocesses.

    nbgrader runs the ``alembic`` command by name when it creates a gradebook; called from a
    virtual environment that is not activated, that command is not found.
    """
    bin_dir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bin_dir]:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in parts if p != bin_dir]])


def quiet_known_warnings() -> None:
    """Silence two harmless warnings raised inside nbgrader on every student.

    SQLAlchemy 2 warns about nbgrader's backref cascades ("not in session"), and nbformat about
    the cells nbgrader re-adds without an id; neither changes a grade.
    """
    import warnings

    warnings.filterwarnings("ignore", message=r".*not in session.*")
    warnings.filterwarnings("ignore", message=r"Cell is missing an id field")


def find_repo_root(start: Path | None = None) -> Path:
    """Find the repository root (the folder holding ``grading/`` and ``exercises/``).

    Args:
        start: where to start looking; the current directory by default.

    Returns:
        The repository root.

    Raises:
        FileNotFoundError: when no parent of ``start`` looks like the course repository.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "grading" / CONFIG_NAME).is_file() and (folder / "exercises").is_dir():
            return folder
    raise FileNotFoundError(
        f"not inside the course repository (no grading/{CONFIG_NAME} above {here})"
    )


@dataclass
class Course:
    """An nbgrader course directory and the folders around it.

    Attributes:
        root: the nbgrader course directory (``grading/``).
        source: the folder of source assignments (``exercises/source/``).
        db_url: the gradebook's SQLAlchemy URL.
        assignments: where a self-paced trainee finds the student versions (``assignments/``).
        fixtures: the folder of fixture cases (``exercises/fixtures/``).
        extra: further configuration layered on top of the defaults.
    """

    root: Path
    source: Path
    db_url: str
    assignments: Path
    fixtures: Path
    extra: Config = field(default_factory=Config)

    @classmethod
    def from_repo(cls, start: Path | None = None, course_dir: Path | None = None) -> Course:
        """Read the course from ``grading/nbgrader_config.py`` of the enclosing repository.

        Args:
            start: a folder inside the repository (the current directory by default).
            course_dir: another nbgrader course directory to work in (its own gradebook,
                the repository's sources), e.g. for the demo; ``None`` uses ``grading/``.

        Returns:
            The course.

        Raises:
            FileNotFoundError: outside the repository.
        """
        repo = find_repo_root(start)
        if course_dir is not None:
            return cls.create(Path(course_dir), repo / "exercises" / "source", repo=repo)
        from traitlets.config.loader import PyFileConfigLoader

        loaded = PyFileConfigLoader(CONFIG_NAME, path=str(repo / "grading")).load_config()
        root = Path(loaded.CourseDirectory.get("root", str(repo / "grading")))
        source_name = loaded.CourseDirectory.get("source_directory", "source")
        db_url = loaded.CourseDirectory.get("db_url", f"sqlite:///{root / 'gradebook.db'}")
        return cls(
            root=root,
            source=(root / source_name).resolve(),
            db_url=db_url,
            assignments=repo / "assignments",
            fixtures=repo / "exercises" / "fixtures",
            extra=loaded,
        )

    @classmethod
    def create(
        cls,
        root: Path,
        source: Path,
        *,
        repo: Path | None = None,
        db_url: str | None = None,
        fixtures: Path | None = None,
    ) -> Course:
        """Build a course around any folder (tests, the demo), with a SQLite gradebook in it.

        Args:
            root: the nbgrader course directory (created if needed).
            source: the folder of source assignments.
            repo: the repository whose ``assignments/`` and fixtures to use; defaults to the
                parent of ``root``.
            db_url: the gradebook URL; ``sqlite:///<root>/gradebook.db`` by default.
            fixtures: the fixture folder; ``<repo>/exercises/fixtures`` by default.

        Returns:
            The course.
        """
        root = Path(root).resolve()
        root.mkdir(parents=True, exist_ok=True)
        repo = Path(repo).resolve() if repo else root.parent
        return cls(
            root=root,
            source=Path(source).resolve(),
            db_url=db_url or f"sqlite:///{root / 'gradebook.db'}",
            assignments=repo / "assignments" if repo else root.parent / "assignments",
            fixtures=Path(fixtures) if fixtures else repo / "exercises" / "fixtures",
        )

    @property
    def is_sqlite(self) -> bool:
        """Whether the gradebook is a SQLite file (one writer at a time)."""
        return self.db_url.startswith("sqlite")

    @property
    def db_path(self) -> Path | None:
        """The gradebook file for a SQLite URL, else ``None``."""
        if not self.is_sqlite:
            return None
        return Path(self.db_url.split("sqlite:///", 1)[1])

    def folder(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """An nbgrader folder of this course.

        Args:
            step: ``"release"``, ``"submitted"``, ``"autograded"``, ``"feedback"``…
            student: the student id (``"."`` for none).
            assignment: the assignment name (``"."`` for none).

        Returns:
            ``<root>/<step>/<student>/<assignment>``, normalised.
        """
        return Path(os.path.normpath(self.root / step / student / assignment))

    def config(self, **cell_settings) -> Config:
        """The full nbgrader configuration for this course.

        Args:
            **cell_settings: ``timeout`` (seconds per cell) and ``budget`` (seconds per notebook)
                overrides; ``None`` keeps the configured value.

        Returns:
            A traitlets ``Config``.
        """
        c = apply_grading_defaults(Config())
        c.merge(self.extra)
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.source_directory = os.path.relpath(self.source, self.root)
        c.CourseDirectory.db_url = self.db_url
        if cell_settings.get("timeout") is not None:
            c.Execute.timeout = int(cell_settings["timeout"])
        if cell_settings.get("budget") is not None:
            c.BudgetedExecute.notebook_budget = int(cell_settings["budget"])
        return c

    def api(self, config: Config | None = None):
        """An ``nbgrader.apps.NbGraderAPI`` working on this course.

        Args:
            config: the configuration to use; :meth:`config` by default.

        Returns:
            The API object.
        """
        ensure_tools_on_path()
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = config or self.config()
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)

    def gradebook(self):
        """Open the gradebook (use as a context manager)."""
        ensure_tools_on_path()
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, course_id=COURSE_ID)

    def source_assignments(self) -> list[str]:
        """Names of the assignments under the source folder (folders holding a notebook)."""
        if not self.source.is_dir():
            return []
        return sorted(
            p.name for p in self.source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
        )


class GradingError(RuntimeError):
    """A grading step that cannot go on; the message says what to do."""
