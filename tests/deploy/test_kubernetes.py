"""The Kubernetes pieces, checked as far as no cluster is needed: the Zero to JupyterHub values
(deploy/kubernetes/values.yaml) and the student-edition image (deploy/image/Dockerfile)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
VALUES = REPO / "deploy" / "kubernetes" / "values.yaml"
DOCKERFILE = REPO / "deploy" / "image" / "Dockerfile"
DOCKERIGNORE = REPO / "deploy" / "image" / "Dockerfile.dockerignore"
HUB_CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
CONSTRAINTS = REPO / "requirements" / "constraints.txt"


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hub_config(tmp_path_factory):
    """deploy/jupyterhub/jupyterhub_config.py as traitlets reads it (the one-server hub)."""
    from traitlets.config.loader import PyFileConfigLoader

    env = {"CM_COURSE_DB_URL": "sqlite://", "CM_IDENTITY_SECRET": "x" * 32, "CM_HR": "hugo"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()


def pins() -> dict[str, str]:
    out = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            out[canonicalize_name(name)] = version.strip()
    return out


def test_values_have_what_the_course_needs(values):
    """Do the values name the image, the exchange volume, the store and identity secrets, culling?"""
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["cmd"] == "jupyterhub-singleuser"
    mounts = {m["mountPath"] for m in single["storage"]["extraVolumeMounts"]}
    assert single["extraEnv"]["COURSE_EXCHANGE"] in mounts
    for key in ("COURSE_DB_URL", "COURSE_IDENTITY_SECRET"):
        assert single["extraEnv"][key]["valueFrom"]["secretKeyRef"]["name"]  # never inline
    assert values["cull"]["enabled"] is True
    assert values["hub"]["config"]["Authenticator"]["allow_all"] is False
    compile(values["hub"]["extraConfig"]["cm-course-groups"], "extraConfig", "exec")


def test_values_and_one_server_hub_grant_the_hr_view_alike(values, hub_config):
    """Do Kubernetes and the one-server hub give the HR view to the same group, same scopes?"""
    roles = {r["name"]: r for r in hub_config.JupyterHub.load_roles}
    one_server = roles["hr-view-reader"]
    on_k8s = values["hub"]["loadRoles"]["hr-view-reader"]
    assert on_k8s["scopes"] == one_server["scopes"] == ["access:services!service=hr-view"]
    assert on_k8s["groups"] == one_server["groups"] == ["hr"]
    services = {s["name"] for s in hub_config.JupyterHub.services}
    assert set(values["hub"]["services"]) == services == {"hr-view"}


def test_one_server_hub_refuses_to_start_without_its_secrets():
    """Does the hub configuration stop with a clear message when the store or secret is missing?"""
    from traitlets.config.loader import PyFileConfigLoader

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CM_COURSE_DB_URL", raising=False)
        patch.delenv("CM_IDENTITY_SECRET", raising=False)
        with pytest.raises(SystemExit, match="CM_COURSE_DB_URL"):
            PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()


def dockerfile_runs() -> list[str]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    return [line[4:] for line in text.splitlines() if line.startswith("RUN ")]


def test_image_installs_the_course_within_the_lock_and_checks_it():
    """Is every pip install of the image constrained by the lock, and followed by `pip check`?"""
    installs = [
        part for run in dockerfile_runs() for part in run.split("&&") if "pip install" in part
    ]
    assert installs, "the image installs nothing"
    for command in installs:
        assert "-c requirements/constraints.txt" in command, command
    assert any("pip check" in run for run in dockerfile_runs())


def test_lock_pins_every_package_the_image_installs():
    """Is the whole dependency closure of cm-course[hub] pinned, at the versions in use here?

    With every package of the closure pinned, `pip install -c constraints '.[hub]'` can only
    install exactly the locked versions (what the image does).
    """
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    todo = [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["hub"]
    ]
    locked, seen, problems = pins(), set(), []
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        seen.add(name)
        if name not in locked:
            problems.append(f"{name} is not pinned")
            continue
        installed = metadata.version(name)
        if Version(installed) != Version(locked[name]):
            problems.append(f"{name}: locked {locked[name]}, installed {installed}")
        extras = requirement.extras
        for text in metadata.requires(name) or []:
            child = Requirement(text)
            if child.marker and not any(
                child.marker.evaluate({"extra": extra}) for extra in (extras or {""})
            ):
                continue
            todo.append(child)
    assert not problems, problems
    assert len(seen) > 50  # the closure really was walked


def test_image_python_is_the_lock_python():
    """Is the image's Python the version the lock was made with (and new enough for it)?"""
    base = re.search(r"^FROM python:(\d+\.\d+\.\d+)", DOCKERFILE.read_text(), re.M)
    assert base, "the image should start from an exact python:X.Y.Z image"
    assert Version(base.group(1)) >= Version("3.11.5")  # soupsieve 4.1 needs it
    import sys

    assert base.group(1) == ".".join(map(str, sys.version_info[:3]))


def test_image_is_the_student_edition():
    """Does the image leave out assignment sources, fixtures, grading and the HR view?"""
    copied = [
        line.split()[1:-1]
        for line in DOCKERFILE.read_text().splitlines()
        if line.startswith("COPY ")
    ]
    sources = [s for group in copied for s in group]
    for forbidden in ("exercises", "grading", "tests", "dashboards/hr.ipynb", "."):
        assert not any(s == forbidden or s.startswith(forbidden + "/") for s in sources), sources
    ignored = DOCKERIGNORE.read_text().splitlines()
    assert ignored[ignored.index("*")] == "*"  # everything is left out unless listed
    assert not any(line.startswith("!exercises") or line.startswith("!grading") for line in ignored)
