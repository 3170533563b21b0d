"""The `course` command dispatches to its groups and fails clearly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course.cli import GROUPS, main


def test_help_lists_every_group(capsys):
    """Does `course --help` list data, grade, apps and progress?"""
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in GROUPS:
        assert name in out


def test_no_command_is_a_usage_error(capsys):
    """Does `course` alone exit with a usage error rather than a traceback?"""
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_every_group_is_implemented():
    """Is every group of the registry backed by a real module (no stub left)?"""
    import importlib

    for module_path, _ in GROUPS.values():
        module = importlib.import_module(module_path)
        assert callable(module.add_arguments) and callable(module.run)


def test_python_dash_m_course_works():
    """Does `python -m course progress` run as the installed command does?"""
    result = subprocess.run(
        [sys.executable, "-m", "course", "progress"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "module" in result.stdout
