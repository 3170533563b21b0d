"""JupyterHub configuration of the course: trainees, instructors (nbgrader) and HR staff.

Read by ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` (or ``load_subconfig`` from the
site's own file, which then sets its authenticator: see README.md in this folder). Everything a
site changes comes from environment variables of the hub process, so this file is used as it is,
by the hub tests too (tests/hub swap only the authenticator and the spawner):

=======================  ======================================================  ====================
variable                 what                                                    default
=======================  ======================================================  ====================
CM_COURSE_DIR            the course, installed once, readable by everyone        /srv/cm-course
CM_GRADING_DIR           the instructors' clone (writable by them): grading/     /srv/cm-course-grading
CM_EXCHANGE              nbgrader's exchange (mode 1777, on a shared filesystem) /srv/nbgrader/exchange
CM_COURSE_DB_URL         the self-assessment store (PostgreSQL for many users)   (required)
CM_GRADEBOOK_URL         nbgrader's gradebook (PostgreSQL for many users)        SQLite in grading/
CM_IDENTITY_SECRET       secret turning a hub user name into a resume code       (required)
CM_INSTRUCTORS, CM_HR    comma-separated user names of the two groups            (none)
CM_HR_VIEW_PORT          loopback port of the HR view service                    10101
CM_ENV_BIN               bin/ of the environment holding the course              this Python's
CM_UNIX_USER_TEMPLATE    the unix user of a hub user (TLJH: jupyter-{username})  {username}
CM_HR_VIEW_USER          unix user of the HR view service (a hub run as root)    the hub's user
=======================  ======================================================  ====================

Who reaches what (hub roles and scopes, no shared token):

- every logged-in user: their own server (JupyterLab, the lessons, the assignments through
  nbgrader's exchange, the self-assessments at ``/user/<name>/voila/render/cm-course/…``);
- group ``instructors``: formgrader and ``course grade`` in their server, started in the
  instructors' clone with the gradebook's URL;
- group ``hr``: the hub service ``hr-view`` (``/services/hr-view/``), a Voilà server rendering
  ``dashboards/hr.ipynb``. The role ``hr-view-reader`` grants ``access:services!service=hr-view``
  to that group only; the service's own server checks the scope on every request (403 otherwise).
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it reads this file)

HERE = Path(__file__).resolve().parent
COURSE_DIR = Path(os.environ.get("CM_COURSE_DIR", "/srv/cm-course"))
GRADING_DIR = Path(os.environ.get("CM_GRADING_DIR", "/srv/cm-course-grading"))
EXCHANGE = os.environ.get("CM_EXCHANGE", "/srv/nbgrader/exchange")
STORE_URL = os.environ.get("CM_COURSE_DB_URL", "")
GRADEBOOK_URL = os.environ.get("CM_GRADEBOOK_URL", "")
IDENTITY_SECRET = os.environ.get("CM_IDENTITY_SECRET", "")
ENV_BIN = Path(os.environ.get("CM_ENV_BIN", Path(sys.executable).parent))
HR_VIEW_PORT = int(os.environ.get("CM_HR_VIEW_PORT", "10101"))
UNIX_USER_TEMPLATE = os.environ.get("CM_UNIX_USER_TEMPLATE", "{username}")
TRAINEE_FOLDER = "cm-course"  # in each home: the lessons and the self-assessment apps

if not STORE_URL or not IDENTITY_SECRET:
    raise SystemExit(
        "deploy/jupyterhub: set CM_COURSE_DB_URL (the self-assessment database) and "
        "CM_IDENTITY_SECRET (at least 32 random characters) in the hub's environment"
    )


def _names(variable: str) -> list[str]:
    return [n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()]


def _template_path() -> str:
    """Where the course's Voilà template (no CDN links) is: course/jupyter."""
    from course.apps import JUPYTER_DATA_DIR

    return str(JUPYTER_DATA_DIR)


# -- users, groups and roles -------------------------------------------------------------------

c.JupyterHub.load_groups = {
    "instructors": {"users": _names("CM_INSTRUCTORS")},
    "hr": {"users": _names("CM_HR")},
}
c.JupyterHub.load_roles = [
    {
        "name": "hr-view-reader",
        "description": "Open the HR view (aggregates of shared self-assessments)",
        "scopes": ["access:services!service=hr-view"],
        "groups": ["hr"],
    },
]

# -- the single-user servers ---------------------------------------------------------------------

VOILA_ARGS = [
    "--VoilaConfiguration.strip_sources=True",
    "--VoilaConfiguration.show_tracebacks=False",
    "--VoilaConfiguration.template=cm-course",
    "--MappingKernelManager.cull_idle_timeout=900",
    "--MappingKernelManager.cull_interval=60",
]
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = list(VOILA_ARGS)
c.Spawner.environment = {
    # nbgrader calls `alembic` by name; the course's commands must be found first
    "PATH": f"{ENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_PATH": _template_path(),
    "COURSE_EXCHANGE": EXCHANGE,
    "COURSE_DB_URL": STORE_URL,
    "COURSE_IDENTITY_SECRET": IDENTITY_SECRET,
}
# Servers started by the hub can take a while on a busy machine (kernels, extensions).
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


def _unix_user(spawner) -> str:
    return UNIX_USER_TEMPLATE.format(username=spawner.user.name)


def _home_of(spawner) -> Path:
    """The user's home as the spawner sees it (SimpleLocalProcessSpawner: its template)."""
    home = getattr(spawner, "home_dir", None)
    if home:
        return Path(home)
    import pwd

    return Path(pwd.getpwnam(_unix_user(spawner)).pw_dir)


def _give_trainee_material(home: Path, owner: str | None) -> None:
    """Copy the lessons and the self-assessment apps to ~/cm-course, never over a trainee's file."""
    target = home / TRAINEE_FOLDER
    pieces = [("modules", COURSE_DIR / "modules")]
    pieces += [
        (f"apps/{name}", COURSE_DIR / "dashboards" / name)
        for name in ("self_assessment.ipynb", "maturity.ipynb")
    ]
    for relative, source in pieces:
        dest = target / relative
        if dest.exists() or not source.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy2(source, dest)
    if owner and os.geteuid() == 0:  # hubs running as root (TLJH): the trainee owns the copies
        for path in [target, *target.rglob("*")]:
            shutil.chown(path, owner, owner)


def pre_spawn_hook(spawner) -> None:
    """Per-group set-up: instructors grade in their clone; trainees get the course material."""
    groups = {group.name for group in spawner.user.groups}
    env = spawner.environment
    if "instructors" in groups:
        env["JUPYTER_CONFIG_PATH"] = str(HERE / "jupyter-config" / "instructor")
        env["COURSE_GRADING_DIR"] = str(GRADING_DIR / "grading")
        if GRADEBOOK_URL:
            env["COURSE_GRADEBOOK_URL"] = GRADEBOOK_URL
        spawner.notebook_dir = str(GRADING_DIR)
    else:
        env["JUPYTER_CONFIG_PATH"] = str(HERE / "jupyter-config" / "trainee")
        home = _home_of(spawner)
        home.mkdir(parents=True, exist_ok=True)
        _give_trainee_material(home, _unix_user(spawner))


c.Spawner.pre_spawn_hook = pre_spawn_hook

# -- the HR view: a hub service, reachable by the `hr` group only --------------------------------

c.JupyterHub.services = [
    {
        "name": "hr-view",
        "url": f"http://127.0.0.1:{HR_VIEW_PORT}",
        "display": True,
        "oauth_no_confirm": True,
        "command": [
            str(ENV_BIN / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={COURSE_DIR / 'dashboards'}",
            "--ServerApp.default_url=/voila/render/hr.ipynb",
            "--ServerApp.terminals_enabled=False",
            *VOILA_ARGS,
        ],
        "environment": {
            "PATH": f"{ENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_PATH": _template_path(),
            "JUPYTER_CONFIG_PATH": str(HERE / "jupyter-config" / "hr-view"),
            # the hub authenticates every request: the HR app may show its aggregates
            "COURSE_HR_GUARD": "jupyterhub",
            "COURSE_DB_URL": STORE_URL,
            "HOME": os.environ.get("CM_HR_VIEW_HOME", str(GRADING_DIR / ".hr-view")),
            **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        },
    },
]
if os.environ.get("CM_HR_VIEW_USER"):
    # a hub running as root (TLJH) must not run the service as root: Jupyter refuses to
    c.JupyterHub.services[0]["user"] = os.environ["CM_HR_VIEW_USER"]
if os.environ.get("PYTHONPATH"):  # a course checkout run in place (tests, development)
    c.Spawner.environment["PYTHONPATH"] = os.environ["PYTHONPATH"]
