"""Storage for the self-assessment apps: drafts saved as people answer, and anonymous contributions.

One database serves every instrument (``"competency"``, ``"maturity"``, …). Three tables:

- ``drafts``: one row per (instrument, resume code): the answers so far, as JSON. The app saves the
  whole draft after every answer, so a refresh or a dead kernel loses nothing.
- ``contributions``: one row per (instrument, resume code) that a person chose to share with their
  organisation: department and site (from the configured lists), the day (no time), nothing else
  that identifies them.
- ``contribution_values``: the shared figures of a contribution, one row per key
  (e.g. ``D1`` → 62.5, or ``profile`` → ``"internal"``), so that any instrument fits and the HR
  view aggregates with one query (:meth:`Store.contributions_frame`).

Resume codes are random (:func:`new_code`, 128 bits from :mod:`secrets`) and only their SHA-256
hash is stored: the database alone cannot resume anyone's draft or withdraw anyone's contribution.

Where the database lives: ``COURSE_DB_URL`` (any SQLAlchemy URL, e.g. PostgreSQL for many users)
wins; otherwise SQLite at ``COURSE_DB_PATH``; otherwise ``assess.sqlite3`` in the user data
directory (:func:`platformdirs.user_data_dir`). SQLite runs in WAL mode with a busy timeout, and
every write is one ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue instead of failing
and nothing is ever half-written. The schema is created on first use.

Errors the apps should show to people are :class:`StoreUnavailable` (locked, missing or unreachable
database; nothing was written) and :class:`InvalidCode` (a malformed resume code).

Example::

    store = Store()                      # from the environment
    code = new_code()
    store.save_draft("competency", code, {"answers": {"D1.1": 4}})
    store.load_draft("competency", code)  # -> {"answers": {"D1.1": 4}}
    store.contribute("competency", code, department="Sales", site="Lyon", values={"D1": 75.0})
    store.contributions_frame("competency")  # one row per contribution, one column per key
    store.withdraw("competency", code)   # -> True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "CODE_PATTERN",
    "DraftConflict",
    "InvalidCode",
    "NotInvited",
    "RateLimited",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "default_url",
    "get_store",
    "hash_code",
    "is_valid_code",
    "new_code",
]

#: What :func:`new_code` produces: 22 URL-safe characters (128 random bits).
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
#: How long SQLite waits for a lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 10_000
MAX_TEXT = 200
MAX_DRAFT_BYTES = 100_000
#: Drafts created under codes that were not issued (``course hr invite``): at most this many per
#: window, across every session of every server sharing the database (a script opening sessions
#: cannot fill the database; a person keeps their answers in the page and their result).
NEW_CODE_LIMIT = 60
NEW_CODE_WINDOW = dt.timedelta(minutes=10)


class StoreError(Exception):
    """Base class of the store's errors."""


class StoreUnavailable(StoreError):
    """The database is locked, missing or unreachable; the operation wrote nothing.

    ``str(error)`` is a short reason that can be shown to a person (no SQL, no path).
    """


class InvalidCode(StoreError, ValueError):
    """A resume code that :func:`new_code` cannot have produced (forged, truncated, empty)."""


class NotInvited(StoreError, ValueError):
    """A contribution under a code that was never issued by ``course hr invite`` (nothing written)."""


class RateLimited(StoreUnavailable):
    """Too many drafts were started without an issued code lately; nothing was written."""


class DraftConflict(StoreError):
    """The draft changed since this page loaded it (the same code is open elsewhere).

    Attributes:
        current: the draft as stored now (the caller merges and saves again).
        version: its version (pass it as ``expected_version`` with the merged draft).
    """

    def __init__(self, current: dict[str, Any], version: int):
        super().__init__("the same code is open elsewhere")
        self.current = current
        self.version = version


class _Base(DeclarativeBase):
    pass


class Draft(_Base):
    """A person's answers so far, for one instrument, under one resume code."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("instrument", "code_hash", name="uq_drafts_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument: Mapped[str] = mapped_column(String(40))
    code_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    updated_on: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=0)


class Contribution(_Base):
    """An anonymous result shared with the organisation: department, site and day only."""

    __tablename__ = "contributions"
    __table_args__ = (UniqueConstraint("instrument", "code_hash", name="uq_contributions_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument: Mapped[str] = mapped_column(String(40), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(String(MAX_TEXT))
    site: Mapped[str] = mapped_column(String(MAX_TEXT))
    contributed_on: Mapped[dt.date] = mapped_column(Date)
    # bumped when the contribution is replaced: releases count changed answers per person
    revision: Mapped[int] = mapped_column(Integer, default=0)


class Invite(_Base):
    """A one-time code issued to one person (``course hr invite``); only its hash is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)


class DraftStart(_Base):
    """When a draft was started under a code that was not issued (for the rate limit only)."""

    __tablename__ = "draft_starts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Release(_Base):
    """A published HR release: the frozen tables, and what they were built from (internal)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    payload: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[str] = mapped_column(Text)


class ContributionValue(_Base):
    """One figure of a contribution: a number (scores, stages) or a short text (a profile)."""

    __tablename__ = "contribution_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    number: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str | None] = mapped_column(String(MAX_TEXT), nullable=True)


def new_code() -> str:
    """A fresh, unguessable resume code (22 URL-safe characters, 128 random bits).

    Returns:
        The code to show to the person; only its hash is ever stored.
    """
    return secrets.token_urlsafe(16)


def is_valid_code(code: Any) -> bool:
    """Whether ``code`` has the form of a code from :func:`new_code` (not whether it exists)."""
    return isinstance(code, str) and CODE_PATTERN.fullmatch(code) is not None


def hash_code(code: str) -> str:
    """The stored form of a resume code (hex SHA-256).

    Args:
        code: a resume code.

    Returns:
        64 hex characters.

    Raises:
        InvalidCode: ``code`` does not have the form of a resume code.
    """
    if not is_valid_code(code):
        raise InvalidCode("not a valid resume code")
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _identity_hash(identity: str) -> str:
    """The stored form of an authenticated identity (a hub user name)."""
    identity = _clean_text("identity", identity)
    return hashlib.sha256(f"identity:{identity}".encode()).hexdigest()


def default_url(environ: Mapping[str, str] | None = None) -> str:
    """The database URL the apps use.

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        ``COURSE_DB_URL`` if set; else ``sqlite:///`` + ``COURSE_DB_PATH`` if set; else a SQLite
        file ``assess.sqlite3`` in the user data directory of ``cm-course``.
    """
    environ = os.environ if environ is None else environ
    if environ.get("COURSE_DB_URL"):
        return environ["COURSE_DB_URL"]
    if environ.get("COURSE_DB_PATH"):
        path = Path(environ["COURSE_DB_PATH"]).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("cm-course", appauthor=False)) / "assess.sqlite3"
    return f"sqlite:///{path}"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _clean_text(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{kind} must be a non-empty text")
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise ValueError(f"{kind} is too long (at most {MAX_TEXT} characters)")
    return value


def _reason(exc: BaseException) -> str:
    """A short, path-free reason for a database failure, fit to show to a person."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return "database busy"
    if "unable to open" in text or "no such table" in text or "readonly" in text:
        return "database missing or read-only"
    return "database unreachable"


class Store:
    """The self-assessment database (see the module docstring for tables and configuration).

    Every method opens one short transaction; writes are all-or-nothing. Methods taking a
    ``code`` raise :class:`InvalidCode` for a malformed code and :class:`StoreUnavailable` when
    the database cannot be used (nothing is written then). Safe to share between threads.

    Args:
        url: a SQLAlchemy URL; ``None`` means :func:`default_url`.
        new_code_limit: drafts that may be started under codes that were not issued, per
            :data:`NEW_CODE_WINDOW` (all sessions together).
    """

    def __init__(self, url: str | None = None, *, new_code_limit: int = NEW_CODE_LIMIT):
        self.url = url or default_url()
        self.new_code_limit = new_code_limit
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._schema_ready = False

    # -- engine and transactions ------------------------------------------------------------

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or ``None`` for other databases and in-memory SQLite."""
        if not self.is_sqlite or "///" not in self.url:
            return None
        database = self.url.split("///", 1)[1].split("?", 1)[0]
        return None if database in ("", ":memory:") else Path(database).expanduser()

    def _get_engine(self) -> Engine:
        with self._lock:
            path = self.sqlite_path
            if self._engine is not None and path is not None and not path.exists():
                # The file was deleted under us: pooled connections would write to the unlinked
                # file and lose everything, so start again from a fresh file.
                self._engine.dispose()
                self._engine = None
                self._schema_ready = False
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine

    def _make_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True)
        path = self.sqlite_path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable("database folder cannot be created") from exc
        engine = create_engine(self.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is deferred).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # IMMEDIATE takes the write lock up front: writers queue on the busy timeout instead
            # of failing when a read lock cannot be upgraded.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def _ensure_schema(self, engine: Engine) -> None:
        if not self._schema_ready:
            _Base.metadata.create_all(engine)
            # databases created before these columns existed
            for table, column in (("drafts", "version"), ("contributions", "revision")):
                names = {c["name"] for c in inspect(engine).get_columns(table)}
                if column not in names:
                    with engine.begin() as connection:
                        connection.execute(
                            sql_text(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER DEFAULT 0")
                        )
            self._schema_ready = True

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction; database failures become :class:`StoreUnavailable`."""
        try:
            engine = self._get_engine()
            self._ensure_schema(engine)
            with engine.begin() as connection:
                yield connection
        except (InvalidCode, ValueError):
            raise
        except IntegrityError:
            raise
        except (OperationalError, DBAPIError) as exc:
            # A file deleted under us: recreate the schema on the next call.
            self._schema_ready = False
            raise StoreUnavailable(_reason(exc)) from exc

    def _run(self, operation):
        """Run ``operation(connection)`` in a transaction, retrying once on a lost schema or a race."""
        for attempt in range(2):
            try:
                with self._transaction() as connection:
                    return operation(connection)
            except IntegrityError as exc:
                # Two writers created the same code at the same instant (server databases).
                if attempt:
                    raise StoreUnavailable("conflicting write, try again") from exc
            except StoreUnavailable as exc:
                if attempt or "missing" not in str(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def create_schema(self) -> None:
        """Create the tables if they do not exist (the other methods do it on first use).

        Raises:
            StoreUnavailable: the database cannot be opened.
        """
        self._run(lambda connection: None)

    def dispose(self) -> None:
        """Close the pooled connections (tests and long-running servers call it when done)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
                self._schema_ready = False

    # -- drafts -------------------------------------------------------------------------------

    def save_draft(
        self,
        instrument: str,
        code: str,
        payload: Mapping[str, Any],
        *,
        expected_version: int | None = None,
    ) -> int:
        """Save (create or replace) the draft of ``code`` for ``instrument``.

        Args:
            instrument: the instrument's name, e.g. ``"competency"`` or ``"maturity"``.
            code: the person's resume code (:func:`new_code` or an issued code).
            payload: JSON-serialisable answers, whatever shape the instrument's app needs
                (at most 100 kB once encoded).
            expected_version: the version this page last loaded or saved; when the stored
                draft has another one (the same code saved from another page), nothing is
                written and :class:`DraftConflict` carries the stored draft to merge with.
                ``None`` overwrites.

        Returns:
            The draft's new version.

        Raises:
            InvalidCode: a malformed code.
            ValueError: a payload that is not JSON-serialisable or too large.
            DraftConflict: see ``expected_version``.
            RateLimited: too many drafts started lately under codes that were not issued.
            StoreUnavailable: the database cannot be written (the previous draft is intact).
        """
        digest = hash_code(code)
        instrument = _clean_text("instrument", instrument)
        try:
            encoded = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"draft is not JSON-serialisable: {exc}") from exc
        if len(encoded.encode("utf-8")) > MAX_DRAFT_BYTES:
            raise ValueError("draft is too large")

        def operation(connection: Connection) -> int:
            table = Draft.__table__
            found = connection.execute(
                select(table.c.id, table.c.version, table.c.payload).where(
                    table.c.instrument == instrument, table.c.code_hash == digest
                )
            ).one_or_none()
            if found is None:
                if not self._invited(connection, digest):
                    self._count_start(connection)
                connection.execute(
                    table.insert().values(
                        instrument=instrument,
                        code_hash=digest,
                        payload=encoded,
                        updated_on=_today(),
                        version=1,
                    )
                )
                return 1
            version = found.version or 0
            if expected_version is not None and expected_version != version:
                raise DraftConflict(json.loads(found.payload), version)
            connection.execute(
                table.update()
                .where(table.c.id == found.id)
                .values(payload=encoded, updated_on=_today(), version=version + 1)
            )
            return version + 1

        return self._run(operation)

    @staticmethod
    def _invited(connection: Connection, digest: str) -> bool:
        table = Invite.__table__
        return (
            connection.execute(
                select(table.c.id).where(table.c.code_hash == digest)
            ).scalar_one_or_none()
            is not None
        )

    def _count_start(self, connection: Connection) -> None:
        """Record a draft started without an issued code, or refuse it past the limit."""
        table = DraftStart.__table__
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        since = now - NEW_CODE_WINDOW
        connection.execute(delete(table).where(table.c.started_at < since))
        recent = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if recent >= self.new_code_limit:
            raise RateLimited("too many new sessions, try again in a few minutes")
        connection.execute(table.insert().values(started_at=now))

    def load_draft(self, instrument: str, code: str, *, with_version: bool = False):
        """The draft saved under ``code``, or ``None`` if there is none.

        Args:
            instrument: the instrument's name.
            code: the resume code.
            with_version: return ``(payload, version)`` (``(None, 0)`` when there is none),
                for :meth:`save_draft`'s ``expected_version``.

        Returns:
            The payload given to :meth:`save_draft`, or ``None``.

        Raises:
            InvalidCode: a malformed code.
            StoreUnavailable: the database cannot be read.
        """
        digest = hash_code(code)
        table = Draft.__table__

        def operation(connection: Connection):
            return connection.execute(
                select(table.c.payload, table.c.version).where(
                    table.c.instrument == instrument, table.c.code_hash == digest
                )
            ).one_or_none()

        row = self._run(operation)
        draft = None if row is None else json.loads(row.payload)
        if with_version:
            return draft, (0 if row is None else row.version or 0)
        return draft

    # -- invitations ------------------------------------------------------------------------

    def invite(self, count: int) -> list[str]:
        """Issue ``count`` one-time codes (one per person); only their hashes are stored.

        A code lets its holder contribute once per instrument (and replace or withdraw that
        contribution); it is also their resume code.

        Args:
            count: how many codes, 1 to 100,000.

        Returns:
            The codes, to hand out (they cannot be shown again).

        Raises:
            ValueError: ``count`` out of range.
            StoreUnavailable: the database cannot be written (no code was issued).
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100_000:
            raise ValueError("count must be a whole number from 1 to 100000")
        codes = [new_code() for _ in range(count)]
        table = Invite.__table__
        today = _today()
        self._run(
            lambda connection: connection.execute(
                table.insert(), [{"code_hash": hash_code(c), "issued_on": today} for c in codes]
            )
        )
        return codes

    def is_invited(self, code: str) -> bool:
        """Whether ``code`` was issued by :meth:`invite`.

        Raises:
            InvalidCode: a malformed code.
            StoreUnavailable: the database cannot be read.
        """
        digest = hash_code(code)
        return self._run(lambda connection: self._invited(connection, digest))

    def delete_draft(self, instrument: str, code: str) -> bool:
        """Delete the draft saved under ``code``; returns whether there was one.

        Raises:
            InvalidCode: a malformed code.
            StoreUnavailable: the database cannot be written.
        """
        digest = hash_code(code)
        table = Draft.__table__
        return bool(
            self._run(
                lambda connection: (
                    connection.execute(
                        delete(table).where(
                            table.c.instrument == instrument, table.c.code_hash == digest
                        )
                    ).rowcount
                )
            )
        )

    # -- contributions ------------------------------------------------------------------------

    def contribute(
        self,
        instrument: str,
        code: str | None,
        *,
        department: str,
        site: str,
        values: Mapping[str, float | int | str | None],
        allowed_departments: list[str] | None = None,
        allowed_sites: list[str] | None = None,
        identity: str | None = None,
    ) -> None:
        """Share a result with the organisation (create, or replace the earlier one of ``code``).

        Only the department, the site, the day and ``values`` are stored: no name, no e-mail,
        no time of day. One contribution per person and instrument: ``code`` must have been
        issued by :meth:`invite` (``course hr invite``); contributing again with it replaces the
        earlier contribution. Behind JupyterHub the caller passes the hub's user name as
        ``identity`` instead: the hub has authenticated the person, so no code is needed (only
        a hash of the identity is stored, like a code's).

        Args:
            instrument: the instrument's name.
            code: the person's issued code (it lets them replace or withdraw later).
            department: a department from the configured list.
            site: a site from the configured list.
            values: key → number (a score, a stage), short text (a profile) or ``None``.
            allowed_departments: when given, ``department`` must be one of them.
            allowed_sites: when given, ``site`` must be one of them.
            identity: an authenticated user name that replaces ``code`` (JupyterHub).

        Raises:
            InvalidCode: a malformed code.
            NotInvited: ``code`` was never issued (nothing written).
            ValueError: a department or site not in the lists, or a bad value.
            StoreUnavailable: the database cannot be written (nothing was written).
        """
        digest = _identity_hash(identity) if identity is not None else hash_code(code)
        department = _clean_text("department", department)
        site = _clean_text("site", site)
        if allowed_departments is not None and department not in allowed_departments:
            raise ValueError("department is not in the configured list")
        if allowed_sites is not None and site not in allowed_sites:
            raise ValueError("site is not in the configured list")
        rows = []
        for key, value in values.items():
            key = _clean_text("value key", key)
            if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
                rows.append({"key": key, "number": None if value is None else float(value)})
            elif isinstance(value, str):
                rows.append({"key": key, "text": _clean_text(key, value)})
            else:
                raise ValueError(f"{key}: a value must be a number, a short text or None")

        def operation(connection: Connection) -> None:
            if identity is None and not self._invited(connection, digest):
                raise NotInvited("this code was not issued for contributions")
            table = Contribution.__table__
            values_table = ContributionValue.__table__
            old = connection.execute(
                select(table.c.id, table.c.revision).where(
                    table.c.instrument == instrument, table.c.code_hash == digest
                )
            ).one_or_none()
            if old is not None:
                # same row, next revision: a release counts one changed person, not two
                connection.execute(
                    delete(values_table).where(values_table.c.contribution_id == old.id)
                )
                connection.execute(
                    table.update()
                    .where(table.c.id == old.id)
                    .values(
                        department=department,
                        site=site,
                        contributed_on=_today(),
                        revision=(old.revision or 0) + 1,
                    )
                )
                row_id = old.id
            else:
                row_id = connection.execute(
                    table.insert().values(
                        instrument=instrument,
                        code_hash=digest,
                        department=department,
                        site=site,
                        contributed_on=_today(),
                        revision=0,
                    )
                ).inserted_primary_key[0]
            if rows:
                connection.execute(
                    values_table.insert(),
                    [
                        {"contribution_id": row_id, "number": None, "text": None, **row}
                        for row in rows
                    ],
                )

        self._run(operation)

    def has_contribution(self, instrument: str, code: str) -> bool:
        """Whether ``code`` has a contribution for ``instrument``.

        Raises:
            InvalidCode: a malformed code.
            StoreUnavailable: the database cannot be read.
        """
        digest = hash_code(code)
        table = Contribution.__table__
        return (
            self._run(
                lambda connection: connection.execute(
                    select(table.c.id).where(
                        table.c.instrument == instrument, table.c.code_hash == digest
                    )
                ).scalar_one_or_none()
            )
            is not None
        )

    def withdraw(self, instrument: str, code: str | None, *, identity: str | None = None) -> bool:
        """Delete the contribution of ``code`` (and its values); returns whether there was one.

        Args:
            instrument: the instrument's name.
            code: the code it was made with.
            identity: the hub identity it was made with instead (see :meth:`contribute`).

        Raises:
            InvalidCode: a malformed code.
            StoreUnavailable: the database cannot be written (nothing was deleted).
        """
        digest = _identity_hash(identity) if identity is not None else hash_code(code)

        def operation(connection: Connection) -> bool:
            table = Contribution.__table__
            values_table = ContributionValue.__table__
            old = connection.execute(
                select(table.c.id).where(
                    table.c.instrument == instrument, table.c.code_hash == digest
                )
            ).scalar_one_or_none()
            if old is None:
                return False
            connection.execute(delete(values_table).where(values_table.c.contribution_id == old))
            connection.execute(delete(table).where(table.c.id == old))
            return True

        return self._run(operation)

    def count_contributions(self, instrument: str) -> int:
        """The number of contributions for ``instrument``.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        table = Contribution.__table__
        return self._run(
            lambda connection: connection.execute(
                select(func.count()).select_from(table).where(table.c.instrument == instrument)
            ).scalar_one()
        )

    def contributions(self, instrument: str) -> list[dict[str, Any]]:
        """Every contribution for ``instrument``, as plain dicts.

        Args:
            instrument: the instrument's name.

        Returns:
            One dict per contribution, in insertion order: ``department``, ``site``,
            ``contributed_on`` (a :class:`datetime.date`) and one entry per value key
            (a float, a text or ``None``). No code or code hash is returned.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        table = Contribution.__table__
        values_table = ContributionValue.__table__

        def operation(connection: Connection):
            heads = connection.execute(
                select(table.c.id, table.c.department, table.c.site, table.c.contributed_on)
                .where(table.c.instrument == instrument)
                .order_by(table.c.id)
            ).all()
            values = connection.execute(
                select(
                    values_table.c.contribution_id,
                    values_table.c.key,
                    values_table.c.number,
                    values_table.c.text,
                )
                .join(table, table.c.id == values_table.c.contribution_id)
                .where(table.c.instrument == instrument)
            ).all()
            return heads, values

        heads, values = self._run(operation)
        records = {
            head.id: {
                "department": head.department,
                "site": head.site,
                "contributed_on": head.contributed_on,
            }
            for head in heads
        }
        for row in values:
            if row.contribution_id in records:
                records[row.contribution_id][row.key] = (
                    row.text if row.text is not None else row.number
                )
        return list(records.values())

    def contribution_rows(self, instrument: str) -> list[dict[str, Any]]:
        """Like :meth:`contributions`, with each row's ``id`` and ``revision`` (for releases).

        The id stays the same when a person replaces their contribution; the revision grows.
        Neither says anything about the person. Only :mod:`course.assess.releases` needs them.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        table = Contribution.__table__
        heads = self._run(
            lambda connection: connection.execute(
                select(table.c.id, table.c.revision)
                .where(table.c.instrument == instrument)
                .order_by(table.c.id)
            ).all()
        )
        records = self.contributions(instrument)
        return [
            {"id": head.id, "revision": head.revision or 0, **record}
            for head, record in zip(heads, records, strict=True)
        ]

    # -- releases -----------------------------------------------------------------------------

    def save_release(self, payload: Mapping[str, Any], snapshot: Mapping[str, Any]) -> dict:
        """Store the next release (numbered from 1) and return it like :meth:`latest_release`.

        Args:
            payload: what HR sees (JSON-serialisable).
            snapshot: what the next release compares against (internal, never shown).

        Raises:
            StoreUnavailable: the database cannot be written (nothing was written).
        """
        table = Release.__table__
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        body = json.dumps(dict(payload), ensure_ascii=False, sort_keys=True, allow_nan=False)
        internal = json.dumps(dict(snapshot), sort_keys=True, allow_nan=False)

        def operation(connection: Connection) -> int:
            last = connection.execute(select(func.max(table.c.number))).scalar_one_or_none()
            number = (last or 0) + 1
            connection.execute(
                table.insert().values(
                    number=number, published_at=now, payload=body, snapshot=internal
                )
            )
            return number

        number = self._run(operation)
        return {
            "number": number,
            "published_at": now,
            "payload": json.loads(body),
            "snapshot": json.loads(internal),
        }

    def latest_release(self) -> dict[str, Any] | None:
        """The latest release: ``number``, ``published_at`` (UTC), ``payload``, ``snapshot``.

        Returns:
            ``None`` when nothing was published yet.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        table = Release.__table__
        row = self._run(
            lambda connection: connection.execute(
                select(table).order_by(table.c.number.desc()).limit(1)
            ).one_or_none()
        )
        if row is None:
            return None
        return {
            "number": row.number,
            "published_at": row.published_at,
            "payload": json.loads(row.payload),
            "snapshot": json.loads(row.snapshot),
        }

    def contributions_frame(self, instrument: str):
        """Every contribution for ``instrument`` as a ``pandas.DataFrame`` (for the HR view).

        Columns: ``department``, ``site``, ``contributed_on`` and one column per value key. Pass it
        through :mod:`course.assess.privacy` before showing or exporting anything.

        Raises:
            StoreUnavailable: the database cannot be read.
        """
        import pandas as pd

        records = self.contributions(instrument)
        frame = pd.DataFrame.from_records(records)
        if frame.empty:
            frame = pd.DataFrame(columns=["department", "site", "contributed_on"])
        return frame


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def get_store(url: str | None = None) -> Store:
    """The shared :class:`Store` for ``url`` (default: :func:`default_url`), one per process."""
    url = url or default_url()
    with _STORES_LOCK:
        if url not in _STORES:
            _STORES[url] = Store(url)
        return _STORES[url]
