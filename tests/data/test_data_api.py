"""The public interface of course.data: names, load, card, build, verify and their errors."""

from __future__ import annotations

import gzip
import json
import re
import time

import numpy as np
import pandas as pd
import pytest

from course import data
from course.cli import main
from course.data import _core

EXPECTED_NAMES = [
    "cm_survey",
    "cm_task_log",
    "members",
    "posts",
    "comments",
    "employees",
    "rse_usage",
    "cops",
    "cop_members",
    "cop_events",
    "community_kpis",
    "maturity_ratings",
    "assessments_demo",
    "capstone_brief",
    "capstone_people",
    "capstone_activity",
    "capstone_members",
    "capstone_survey",
    "capstone_comments",
    "capstone_communities",
    "capstone_events",
]


def test_names_lists_every_dataset_in_build_order():
    """Does names() list every dataset in the order modules need them?"""
    assert data.names() == EXPECTED_NAMES


def test_unknown_name_raises_key_error_listing_names():
    """Does load() of an unknown name raise KeyError naming the known datasets?"""
    with pytest.raises(KeyError) as info:
        data.load("unknown")
    message = str(info.value)
    assert "unknown" in message
    assert all(name in message for name in EXPECTED_NAMES)


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_load_sets_dtypes_from_the_schema(name, frames):
    """Does each loaded frame have the schema's columns, dtypes and parsed dates?"""
    frame = frames[name]
    spec = _core.get_spec(name)
    assert list(frame.columns) == spec.column_names
    expected = {
        "str": "object",
        "int": "int64",
        "Int64": "Int64",
        "float": "float64",
        "bool": "bool",
        "date": "datetime64[ns]",
        "datetime": "datetime64[ns]",
    }
    for col in spec.columns:
        assert str(frame[col.name].dtype) == expected[col.kind], col.name
    assert len(frame) > 0


def test_load_returns_a_fresh_frame():
    """Can a trainee modify a loaded frame without changing the next load?"""
    first = data.load("cm_survey")
    first["gender"] = "changed"
    assert (data.load("cm_survey")["gender"] != "changed").all()


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_card_documents_every_column_and_a_source(name):
    """Does each data card name every column and say what is calibrated and what is assumed?"""
    text = data.card(name)
    for column in _core.get_spec(name).column_names:
        assert f"`{column}`" in text, f"{name}.md does not describe column {column}"
    lowered = text.lower()
    assert "calibrated" in lowered
    assert "assumption" in lowered
    assert "known limits" in lowered


def test_card_of_unknown_name_raises_key_error():
    """Does card() reject an unknown dataset with a KeyError?"""
    with pytest.raises(KeyError):
        data.card("nope")


def test_readme_lists_every_dataset_with_its_rows():
    """Does datasets/README.md list every dataset with its row count?"""
    readme = (_core.REPO_DATASETS / "README.md").read_text(encoding="utf-8")
    manifest = _core.read_manifest(_core.REPO_DATASETS)
    for name in EXPECTED_NAMES:
        row = next((line for line in readme.splitlines() if f"`{name}`" in line), None)
        assert row is not None, name
        assert f"{manifest[name]['rows']:,}" in row, name


def test_shipped_files_are_utf8_csv_with_iso_dates_and_gzip_only_when_large():
    """Are files UTF-8 CSV, gzip-compressed exactly when over 2 MB, with ISO dates?"""
    manifest = _core.read_manifest(_core.REPO_DATASETS)
    total = 0
    for name, record in manifest.items():
        path = _core.REPO_DATASETS / record["file"]
        raw = path.read_bytes()
        total += len(raw)
        if record["file"].endswith(".gz"):
            assert raw[4:8] == b"\x00\x00\x00\x00", "gzip mtime must be 0"
            assert not raw[3] & 0x08, "gzip must not store a file name"
            text = gzip.decompress(raw)
            assert len(text) > _core.GZIP_THRESHOLD
        else:
            text = raw
            assert len(text) <= _core.GZIP_THRESHOLD
        decoded = text.decode("utf-8")
        assert "\r" not in decoded
        spec = _core.get_spec(name)
        dates = [c.name for c in spec.columns if c.kind in ("date", "datetime")]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=50)
        for column in dates:
            values = [v for v in frame[column] if v]
            assert all(re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d)?", v) for v in values)
    assert total < 25 * 1024 * 1024


def test_verify_passes_on_shipped_files_quickly():
    """Does verify() find nothing wrong with the shipped files, in under 5 seconds?"""
    started = time.perf_counter()
    assert data.verify() == []
    assert time.perf_counter() - started < 5


def test_verify_names_an_edited_file_and_how_to_rebuild_it(shipped_copy):
    """Does verify() report an edited file by name with the command that rebuilds it?"""
    path = shipped_copy / "cm_task_log.csv"
    path.write_bytes(path.read_bytes().replace(b"CM001", b"CM999", 1))
    problems = data.verify(data_dir=shipped_copy)
    assert len(problems) == 1
    assert "cm_task_log.csv" in problems[0]
    assert "course data build --only cm_task_log" in problems[0]


def test_verify_reports_a_missing_file(shipped_copy):
    """Does verify() report a deleted file with the rebuild command?"""
    (shipped_copy / "cops.csv").unlink()
    problems = data.verify(data_dir=shipped_copy)
    assert len(problems) == 1
    assert "cops.csv" in problems[0] and "course data build --only cops" in problems[0]


def test_verify_reports_a_schema_change(shipped_copy):
    """Does verify() notice a file whose recorded columns no longer match the schema?"""
    manifest_path = shipped_copy / _core.MANIFEST
    doc = json.loads(manifest_path.read_text())
    doc["files"]["comments"]["columns"] = doc["files"]["comments"]["columns"][:-1]
    manifest_path.write_text(json.dumps(doc))
    problems = data.verify(data_dir=shipped_copy)
    assert len(problems) == 1 and "comments" in problems[0] and "schema" in problems[0]


def test_load_of_a_missing_file_names_it_and_the_rebuild_command(shipped_copy):
    """Does a missing file give a DatasetMissingError (a FileNotFoundError) with the fix?"""
    (shipped_copy / "members.csv.gz").unlink()
    with pytest.raises(data.DatasetMissingError) as info:
        data.load("members", data_dir=shipped_copy)
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, data.DatasetError)
    assert "members.csv.gz" in str(info.value)
    assert "course data build --only members" in str(info.value)


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("posts", lambda raw: raw[: len(raw) // 2]),  # truncated gzip
        ("comments", lambda raw: raw[: len(raw) // 3]),  # truncated CSV
        ("cm_survey", lambda raw: raw.replace(b"woman", b"man", 1)),  # edited
    ],
)
def test_load_of_a_damaged_file_raises_a_corrupt_error(shipped_copy, name, damage):
    """Does a truncated or edited file give a DatasetCorruptError (a ValueError) with the fix?"""
    record = _core.read_manifest(shipped_copy)[name]
    path = shipped_copy / record["file"]
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(data.DatasetCorruptError) as info:
        data.load(name, data_dir=shipped_copy)
    assert isinstance(info.value, ValueError)
    assert record["file"] in str(info.value)
    assert f"course data build --only {name}" in str(info.value)


def test_build_into_a_readonly_folder_fails_before_generating(readonly_dir, monkeypatch):
    """Does a build into a read-only folder fail before any generation or write?"""

    def must_not_run(*args, **kwargs):
        raise AssertionError("generation started before the folder was checked")

    monkeypatch.setattr(_core, "generate", must_not_run)
    with pytest.raises(data.DatasetWriteError) as info:
        data.build(only=["cm_survey"], out=readonly_dir, progress=False)
    assert isinstance(info.value, PermissionError | OSError)
    assert str(readonly_dir) in str(info.value)


def test_build_only_one_dataset_updates_its_record_and_keeps_the_others(shipped_copy):
    """Does `build --only NAME` rewrite that file atomically and keep the other records?"""
    before = _core.read_manifest(shipped_copy)
    (shipped_copy / "cm_survey.csv").write_bytes(b"broken")
    written = data.build(only=["cm_survey"], out=shipped_copy, progress=False)
    after = _core.read_manifest(shipped_copy)
    assert after == before
    assert written["cm_survey"] == before["cm_survey"]
    assert not list(shipped_copy.glob(".*.tmp"))
    assert data.verify(data_dir=shipped_copy) == []


def test_generators_depend_only_on_their_generator():
    """Does a generator give the same frame for the same seed and another for another seed?"""
    from course.data.survey import generate_cm_survey

    first = generate_cm_survey(np.random.default_rng(7))
    again = generate_cm_survey(np.random.default_rng(7))
    other = generate_cm_survey(np.random.default_rng(8))
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_to_csv_bytes_quotes_and_formats_fixed():
    """Does the writer quote commas and quotes, fix float decimals and leave NA empty?"""
    spec = _core.Spec(
        name="demo",
        summary="",
        columns=(
            _core.Col("id", "str"),
            _core.Col("x", "float", 2),
            _core.Col("n", "Int64"),
            _core.Col("when", "datetime"),
        ),
        sort_by=("id",),
        generate=lambda rng: None,
    )
    frame = pd.DataFrame(
        {
            "id": ['b, "quoted"', "a"],
            "x": [1.0, 2.005],
            "n": pd.array([None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2025-01-02 03:04:05", None]),
        }
    )
    text = _core.to_csv_bytes(frame, spec).decode()
    assert text == 'id,x,n,when\na,2.00,3,\n"b, ""quoted""",1.00,,2025-01-02T03:04:05\n'


def test_scenario_builds_outside_the_repository_and_loads(cache_dir, monkeypatch):
    """Does a scenario build into the cache folder and load with scenario=...?"""
    monkeypatch.setitem(
        _core.SCENARIOS, "tiny", {"employees": {"n_employees": 300}, "rse_usage": {}}
    )
    written = data.build(scenario="tiny", progress=False)
    assert set(written) == {"employees", "rse_usage"}
    assert (cache_dir / "tiny" / "employees.csv").exists()
    employees = data.load("employees", scenario="tiny")
    assert len(employees) == 300
    usage = data.load("rse_usage", scenario="tiny")
    assert set(usage["User Principal Name"]) <= set(employees["user_principal_name"])
    with pytest.raises(KeyError):
        data.load("members", scenario="tiny")
    assert data.verify(scenario="tiny") == []


def test_scenario_not_built_says_how_to_build_it(cache_dir):
    """Does loading an unbuilt scenario name the command that builds it?"""
    with pytest.raises(data.DatasetMissingError) as info:
        data.load("employees", scenario="edf-160k")
    assert "course data build --scenario edf-160k" in str(info.value)


def test_edf_scenario_is_declared_at_160k_employees():
    """Is the edf-160k scenario the employees and usage generators at 160,000 employees?"""
    assert data.SCENARIOS["edf-160k"] == {"employees": {"n_employees": 160_000}, "rse_usage": {}}


def test_cli_list_card_verify(capsys):
    """Do `course data list`, `card NAME` and `verify` work and return 0?"""
    assert main(["data", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in EXPECTED_NAMES)
    assert "577" in listed
    assert main(["data", "card", "cm_survey"]) == 0
    assert "577" in capsys.readouterr().out
    assert main(["data", "verify"]) == 0


def test_cli_verify_fails_on_a_damaged_copy(shipped_copy, capsys):
    """Does `course data verify` exit 1 and name the damaged file and the fix?"""
    (shipped_copy / "cops.csv").write_text("cop_id\n")
    assert main(["data", "verify", "--data-dir", str(shipped_copy)]) == 1
    err = capsys.readouterr().err
    assert "cops.csv" in err and "course data build --only cops" in err


def test_cli_unknown_card_exits_2(capsys):
    """Does `course data card nope` exit 2 with the known names?"""
    assert main(["data", "card", "nope"]) == 2
    assert "cm_survey" in capsys.readouterr().err


def test_cli_build_into_readonly_folder_exits_1(readonly_dir, capsys):
    """Does `course data build --out READONLY` exit 1 saying nothing was written?"""
    assert main(["data", "build", "--only", "cops", "--out", str(readonly_dir), "--quiet"]) == 1
    assert "nothing was written" in capsys.readouterr().err


@pytest.mark.slow
def test_two_builds_give_identical_bytes_equal_to_the_shipped_files(tmp_path):
    """Do two full builds give byte-identical files, equal to the shipped checksums?"""
    first = data.build(out=tmp_path / "one", progress=False)
    second = data.build(out=tmp_path / "two", progress=False)
    for name in EXPECTED_NAMES:
        one = (tmp_path / "one" / first[name]["file"]).read_bytes()
        two = (tmp_path / "two" / second[name]["file"]).read_bytes()
        assert one == two, name
    shipped = _core.read_manifest(_core.REPO_DATASETS)
    assert {k: v["sha256"] for k, v in first.items()} == {
        k: v["sha256"] for k, v in shipped.items()
    }
