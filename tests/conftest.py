"""Shared test set-up: the repository root, and no test ever writes to a trainee's real files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    """``--update-goldens``: rewrite golden files from the current output instead of comparing."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files (tests/**/goldens/) from the current output",
    )


@pytest.fixture
def update_goldens(request) -> bool:
    """Whether this run rewrites golden files (``pytest --update-goldens``)."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(autouse=True)
def _isolated_user_files(tmp_path_factory, monkeypatch):
    """Keep practice progress and app databases of tests out of the user's data directory."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("COURSE_PROGRESS_DB", str(home / "progress.sqlite"))
    monkeypatch.setenv("COURSE_DB_PATH", str(home / "assessments.sqlite"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the HR view's token: never the user's own, never written to their config folder
    monkeypatch.setenv("COURSE_HR_TOKEN_FILE", str(home / "hr_token"))
    monkeypatch.delenv("COURSE_HR_TOKEN", raising=False)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


# -- PostgreSQL (marker `postgres`): one server per session, one fresh database per use --------

DB_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server (Debian's binaries) on a loopback port, stopped after the session.

    Fails, never skips, when PostgreSQL is not installed: `.ci/run` installs it.
    """
    from course.localpg import LocalPostgres, PostgresMissing

    try:
        server = LocalPostgres().start()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_postgres_database(postgres_server):
    """Factory: ``new_postgres_database(prefix)`` → the URL of a fresh, empty database."""
    import itertools

    counter = itertools.count(1)

    def create(prefix: str = "db") -> str:
        return postgres_server.create_database(f"{prefix}_{next(counter)}")

    return create


@pytest.fixture(params=DB_BACKENDS)
def db_backend(request) -> str:
    """``"sqlite"``, then ``"postgres"``: a test taking it runs once on each database."""
    return request.param


@pytest.fixture
def db_url(db_backend, request, tmp_path):
    """A fresh database URL, once SQLite (a file in ``tmp_path``) and once PostgreSQL."""
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'assess.sqlite3'}"
    return request.getfixturevalue("new_postgres_database")("store")
