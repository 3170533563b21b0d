"""course.assess.store: drafts, contributions, concurrency and failures."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from course.assess import store as store_module
from course.assess.store import InvalidCode, Store, StoreUnavailable, default_url, new_code


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "nested" / "assess.sqlite3"


@pytest.fixture
def store(db_path):
    db = Store(f"sqlite:///{db_path}")
    yield db
    db.dispose()


def test_default_url_follows_the_environment(tmp_path):
    """Does COURSE_DB_URL win over COURSE_DB_PATH, which wins over the user data dir?"""
    assert (
        default_url({"COURSE_DB_URL": "postgresql://h/db", "COURSE_DB_PATH": "/x.db"})
        == "postgresql://h/db"
    )
    assert (
        default_url({"COURSE_DB_PATH": str(tmp_path / "a.db")}) == f"sqlite:///{tmp_path / 'a.db'}"
    )
    assert default_url({}).endswith("assess.sqlite3")


def test_schema_is_created_on_first_use_in_wal_mode(store, db_path):
    """Is the database file (and its folder) created on first use, in WAL mode?"""
    assert not db_path.exists()
    store.save_draft("competency", new_code(), {"answers": {}})
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            r[0] for r in connection.execute("select name from sqlite_master where type='table'")
        }
    assert tables >= {"drafts", "contributions", "contribution_values"}


def test_drafts_are_keyed_by_instrument_and_code(store):
    """Are drafts of two instruments under one code kept apart, and replaced on save?"""
    code = new_code()
    store.save_draft("competency", code, {"a": 1})
    store.save_draft("maturity", code, {"b": 2})
    store.save_draft("competency", code, {"a": 3})
    assert store.load_draft("competency", code) == {"a": 3}
    assert store.load_draft("maturity", code) == {"b": 2}
    assert store.load_draft("competency", new_code()) is None
    assert store.delete_draft("maturity", code) is True
    assert store.load_draft("maturity", code) is None


def test_only_the_hash_of_the_code_is_stored(store, db_path):
    """Is the resume code itself absent from the database file?"""
    code = store.invite(1)[0]
    store.save_draft("competency", code, {"answers": {"D1.1": 4}})
    store.contribute("competency", code, department="Sales", site="Lyon", values={"D1": 75.0})
    store.dispose()
    data = b"".join(p.read_bytes() for p in db_path.parent.iterdir())
    assert code.encode() not in data
    assert store_module.hash_code(code).encode() in data


@pytest.mark.parametrize(
    "code", ["", "short", "x" * 23, "<script>alert(1)</script>", None, "a b" * 11]
)
def test_forged_codes_are_refused(store, code):
    """Are malformed codes refused before touching the database?"""
    with pytest.raises(InvalidCode):
        store.load_draft("competency", code)
    with pytest.raises(InvalidCode):
        store.withdraw("competency", code)


def test_contributions_round_trip_and_frame(store):
    """Do contributions come back with department, site, day and values (text and numbers)?"""
    code = store.invite(1)[0]
    store.contribute(
        "competency",
        code,
        department="Sales",
        site="Lyon",
        values={"D1": 62.5, "D2": None, "profile": "hybrid"},
    )
    frame = store.contributions_frame("competency")
    assert list(frame["department"]) == ["Sales"]
    assert frame.loc[0, "D1"] == 62.5 and frame.loc[0, "profile"] == "hybrid"
    assert store.contributions_frame("maturity").empty
    assert store.has_contribution("competency", code)


def test_contribution_lists_are_enforced(store):
    """Are a department or site outside the allowed lists refused, with nothing written?"""
    with pytest.raises(ValueError, match="department"):
        store.contribute(
            "competency",
            store.invite(1)[0],
            department="<b>x</b>",
            site="Lyon",
            values={},
            allowed_departments=["Sales"],
        )
    with pytest.raises(ValueError, match="site"):
        store.contribute(
            "competency",
            store.invite(1)[0],
            department="Sales",
            site="Mars",
            values={},
            allowed_sites=["Lyon"],
        )
    assert store.count_contributions("competency") == 0


def test_bad_values_are_refused_whole(store):
    """Does one bad value refuse the whole contribution (nothing half-written)?"""
    with pytest.raises(ValueError):
        store.contribute(
            "competency",
            store.invite(1)[0],
            department="A",
            site="B",
            values={"D1": 50.0, "D2": [1]},
        )
    assert store.count_contributions("competency") == 0
    assert store.contributions("competency") == []


def test_concurrent_contributions_all_land(store):
    """Do 30 threads with their own connections contributing at once leave exactly 30 rows?"""
    codes = store.invite(30)
    barrier = threading.Barrier(len(codes))
    errors = []

    def contribute(code):
        own = Store(store.url)
        try:
            barrier.wait()
            own.contribute(
                "competency", code, department="Sales", site="Lyon", values={"D1": 50.0, "D2": 25.0}
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=contribute, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count_contributions("competency") == 30
    frame = store.contributions_frame("competency")
    assert frame["D2"].notna().sum() == 30


def test_locked_database_raises_unavailable_and_writes_nothing(store, db_path, monkeypatch):
    """With another writer holding the lock, is StoreUnavailable raised and nothing written?"""
    monkeypatch.setattr(store_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    quick = Store(f"sqlite:///{db_path}")
    quick.create_schema()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="busy"):
            quick.contribute("competency", new_code(), department="A", site="B", values={"D1": 1.0})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert quick.count_contributions("competency") == 0
    quick.dispose()


def test_deleted_database_is_recreated(store, db_path):
    """If the file is deleted under a running app, is the next write kept in a fresh file?"""
    code = store.invite(1)[0]
    store.save_draft("competency", code, {"a": 1})
    for path in db_path.parent.iterdir():
        path.unlink()
    store.save_draft("competency", code, {"a": 2})
    assert db_path.exists()
    assert Store(store.url).load_draft("competency", code) == {"a": 2}


def test_unwritable_location_raises_unavailable(tmp_path):
    """Is a database path under a file (cannot be created) reported as StoreUnavailable?"""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable):
        Store(f"sqlite:///{blocker}/db.sqlite3").save_draft("competency", new_code(), {})


def test_withdraw_removes_values_too(store, db_path):
    """Does withdrawing delete the contribution's values as well as the contribution?"""
    code = store.invite(1)[0]
    store.contribute("competency", code, department="A", site="B", values={"D1": 1.0, "D2": 2.0})
    assert store.withdraw("competency", code) is True
    assert store.withdraw("competency", code) is False
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("select count(*) from contribution_values").fetchone()[0] == 0


def test_contributions_need_an_issued_code(store, db_path):
    """Is a contribution under a code that was never issued refused by the store itself?"""
    from course.assess.store import NotInvited

    with pytest.raises(NotInvited):
        store.contribute("competency", new_code(), department="A", site="B", values={"D1": 1.0})
    assert store.count_contributions("competency") == 0
    code = store.invite(1)[0]
    assert store.is_invited(code) and not store.is_invited(new_code())
    store.contribute("competency", code, department="A", site="B", values={"D1": 1.0})
    store.contribute("competency", code, department="A", site="B", values={"D1": 2.0})
    assert store.count_contributions("competency") == 1  # replaced, one per person
    assert code.encode() not in db_path.read_bytes()  # only the hash is kept


def test_invite_refuses_bad_counts(store):
    """Are zero, negative, huge or non-integer counts refused with a clear reason?"""
    for count in (0, -1, 100_001, 2.5, True):
        with pytest.raises(ValueError, match="count"):
            store.invite(count)


def test_sessions_without_a_code_are_rate_limited(db_path):
    """Past the limit, is a new draft without an issued code refused, while issued codes still work?"""
    from course.assess.store import RateLimited

    limited = Store(f"sqlite:///{db_path}", new_code_limit=3)
    for _ in range(3):
        limited.save_draft("competency", new_code(), {"answers": {}})
    with pytest.raises(RateLimited):
        limited.save_draft("competency", new_code(), {"answers": {}})
    issued = limited.invite(1)[0]
    limited.save_draft("competency", issued, {"answers": {"D1.1": 2}})  # not limited
    assert limited.load_draft("competency", issued) == {"answers": {"D1.1": 2}}
    limited.dispose()


def test_hub_identity_replaces_the_code(store):
    """Behind JupyterHub, does an authenticated identity contribute once, without a code?"""
    for value in (1.0, 2.0):
        store.contribute(
            "competency", None, department="A", site="B", values={"D1": value}, identity="alice"
        )
    assert store.count_contributions("competency") == 1
    assert store.contributions("competency")[0]["D1"] == 2.0


def test_stale_draft_version_is_refused_with_the_stored_draft(store):
    """Does a save on a stale version raise a conflict carrying the stored draft, writing nothing?"""
    from course.assess.store import DraftConflict

    code = store.invite(1)[0]
    assert store.save_draft("competency", code, {"a": 1}, expected_version=0) == 1
    assert store.save_draft("competency", code, {"a": 2}, expected_version=1) == 2
    with pytest.raises(DraftConflict) as caught:
        store.save_draft("competency", code, {"a": 3}, expected_version=1)
    assert caught.value.current == {"a": 2} and caught.value.version == 2
    assert store.load_draft("competency", code, with_version=True) == ({"a": 2}, 2)
