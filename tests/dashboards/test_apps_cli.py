"""``course apps``: the Voilà command lines it builds."""

from __future__ import annotations

import argparse
import json

from course import apps
from course.cli import main


def test_voila_command_has_the_safe_defaults():
    """Are sources stripped, tracebacks hidden, idle kernels culled and the course template used?"""
    command = apps.voila_command("dashboards", port=9999)
    assert "--strip_sources=True" in command
    assert "--show_tracebacks=False" in command
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in command)
    assert "--template=cm-course" in command
    assert "--port=9999" in command
    assert not any(a.startswith("--preheat_kernel") for a in command)
    assert not any(a.startswith("--token") for a in command)


def test_pools_turn_on_preheating_for_listed_notebooks_only():
    """Does a pool preheat only the listed notebook (default pool 0)?"""
    command = apps.voila_command("dashboards", port=1, pools={"self_assessment.ipynb": 2})
    assert "--preheat_kernel=True" in command
    config = next(a for a in command if a.startswith("--VoilaKernelManager.kernel_pools_config="))
    pools = json.loads(config.split("=", 1)[1])
    assert pools == {"default": {"pool_size": 0}, "self_assessment.ipynb": {"pool_size": 2}}


def test_token_is_passed_for_protected_servers():
    """Is a token put on the command line when asked for?"""
    assert "--token=s3cret" in apps.voila_command("hr.ipynb", port=1, token="s3cret")


def test_voila_env_puts_the_template_first():
    """Is the course's Jupyter data folder first on JUPYTER_PATH, keeping what was there?"""
    env = apps.voila_env({"JUPYTER_PATH": "/other"})
    first, rest = env["JUPYTER_PATH"].split(":", 1)
    assert first == str(apps.JUPYTER_DATA_DIR)
    assert rest == "/other"
    assert (apps.JUPYTER_DATA_DIR / "voila/templates/cm-course/index.html.j2").exists()


def test_public_server_preheats_the_self_assessment(capsys):
    """Does `course apps --print-command` serve dashboards/ with the self-assessment preheated?"""
    assert main(["apps", "--server", "public", "--port", "8123", "--print-command"]) == 0
    out = capsys.readouterr().out
    assert "# public" in out
    assert "--port=8123" in out
    assert "self_assessment.ipynb" in out
    assert str(apps.DASHBOARDS_DIR) in out


def test_token_server_gets_a_token(tmp_path, monkeypatch):
    """Would a token-protected server (room left for the HR app) never start without a token?"""
    monkeypatch.delenv("COURSE_HR_TOKEN", raising=False)
    monkeypatch.delenv("X_TOKEN", raising=False)
    monkeypatch.setenv("COURSE_HR_TOKEN_FILE", str(tmp_path / "hr_token"))
    (tmp_path / "hr.ipynb").write_text("{}")
    spec = apps.ServerSpec(
        name="hr", target="hr.ipynb", port=8867, token_required=True, token_env="X_TOKEN"
    )
    args = argparse.Namespace(
        dashboards=str(tmp_path),
        port=None,
        server="all",
        token=None,
        no_preheat=False,
        ip="127.0.0.1",
    )
    command = apps._server_command(spec, args)
    token = next(a for a in command if a.startswith("--token="))
    assert len(token) > len("--token=") + 20


def test_nothing_to_serve_is_an_error(tmp_path, capsys):
    """Does an empty dashboards folder give exit status 2 and a message?"""
    assert main(["apps", "--dashboards", str(tmp_path / "none"), "--print-command"]) == 2
    assert "no dashboard" in capsys.readouterr().err


def test_print_command_creates_no_token_file_and_hides_the_token(tmp_path, monkeypatch, capsys):
    """Does --print-command leave no token file behind and never print a token in full?"""
    monkeypatch.delenv("COURSE_HR_TOKEN", raising=False)
    token_file = tmp_path / "config" / "hr_token"
    monkeypatch.setenv("COURSE_HR_TOKEN_FILE", str(token_file))
    assert main(["apps", "--server", "hr", "--print-command"]) == 0
    assert not token_file.exists()
    assert "--token=TOKEN" in capsys.readouterr().out
    secret = "s3cret-token-0123456789abcdef"
    monkeypatch.setenv("COURSE_HR_TOKEN", secret)
    assert main(["apps", "--server", "hr", "--print-command"]) == 0
    out = capsys.readouterr().out
    assert secret not in out and "--token=s3cr…" in out
    assert not token_file.exists()


def test_mask_token_keeps_four_characters():
    """Is a token shown as its first four characters and an ellipsis, everywhere in a text?"""
    token = "abcdefghijklmnopqrstuvwxyz"
    text = apps.mask_token(f"token {token}, open ?token={token}", token)
    assert token not in text and text.count("abcd…") == 2
    assert apps.mask_token("no secret", None) == "no secret"
