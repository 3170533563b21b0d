"""Authentication of the HR view: a token for ``hr.ipynb``, wherever and however Voilà serves it.

Three ways of serving the HR view must all refuse a request without the token:
``voila dashboards/hr.ipynb`` started from the repository root, ``make apps`` and ``course apps``.

- Voilà 0.5 reads ``voila.json`` (and ``voila.py``) from the folder it is started in, then from the
  Jupyter config path. The repository's ``voila.json`` (root and ``dashboards/``) sets
  ``Voila.identity_provider_class`` to :class:`HRIdentityProvider`, and ``course apps`` passes the
  same option on its command line, so it holds from any folder.
- :class:`HRIdentityProvider` is jupyter_server's token/password provider with one change: when
  the served notebook or folder contains ``hr.ipynb``, every request for that notebook needs the
  HR token (or the login cookie it sets), while the other dashboards of a folder stay open, as
  the self-assessments must be. The token is :func:`hr_token`: ``COURSE_HR_TOKEN`` if set, else
  a random token generated once and kept outside the repository (:func:`token_file`), never
  in git. ``--token=...`` on the command line wins over both.
- Defence in depth: the provider marks its server's environment (:data:`GUARD_ENV`), which
  kernels inherit; the HR app shows no number in a kernel whose server did not (for instance
  ``voila hr.ipynb`` run from another folder without the repository's config). Behind
  JupyterHub, which authenticates every request itself, the deployment sets
  ``COURSE_HR_GUARD=jupyterhub`` (see ``docs/hr-jupyterhub.md``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote

from jupyter_server.auth.identity import PasswordIdentityProvider

__all__ = [
    "GUARD_ENV",
    "HR_NOTEBOOKS",
    "TOKEN_ENV",
    "TOKEN_FILE_ENV",
    "HRIdentityProvider",
    "guard_mode",
    "hr_token",
    "token_file",
]

TOKEN_ENV = "COURSE_HR_TOKEN"
TOKEN_FILE_ENV = "COURSE_HR_TOKEN_FILE"
GUARD_ENV = "COURSE_HR_GUARD"
#: Notebook file names that need the HR token: the HR view and the instructor's dashboard
#: (grades of named trainees; course.grading.dashboard), never open to trainees.
HR_NOTEBOOKS: tuple[str, ...] = ("hr.ipynb", "instructor.ipynb")
_MIN_TOKEN_LENGTH = 16


def token_file() -> Path:
    """Where a generated HR token is kept: ``COURSE_HR_TOKEN_FILE``, else the user config folder.

    Returns:
        A path outside the repository, e.g. ``~/.config/cm-course/hr_token``.
    """
    if os.environ.get(TOKEN_FILE_ENV):
        return Path(os.environ[TOKEN_FILE_ENV]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("cm-course", appauthor=False)) / "hr_token"


def hr_token(create: bool = True) -> str | None:
    """The HR view's token.

    Args:
        create: generate and store a token when none exists yet.

    Returns:
        ``COURSE_HR_TOKEN`` when set; else the token in :func:`token_file`, generated once
        (32 random URL-safe bytes, file readable by its owner only); ``None`` when there is none
        and ``create`` is false.

    Raises:
        ValueError: ``COURSE_HR_TOKEN`` is set but shorter than 16 characters.
    """
    given = os.environ.get(TOKEN_ENV, "").strip()
    if given:
        if len(given) < _MIN_TOKEN_LENGTH:
            raise ValueError(f"{TOKEN_ENV} is too short (at least {_MIN_TOKEN_LENGTH} characters)")
        return given
    path = token_file()
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if len(stored) >= _MIN_TOKEN_LENGTH:
            return stored
    if not create:
        return None
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def guard_mode() -> str | None:
    """How this kernel's server authenticates the HR view: ``"token"``, ``"jupyterhub"`` or ``None``."""
    mode = os.environ.get(GUARD_ENV, "")
    return mode if mode in ("token", "jupyterhub") else None


def _is_hr_path(path: str) -> bool:
    lowered = unquote(path).lower()
    return any(f"/{name}" in lowered or lowered.endswith(name) for name in HR_NOTEBOOKS)


class HRIdentityProvider(PasswordIdentityProvider):
    """Token authentication for ``hr.ipynb``; other dashboards keep the server's own setting.

    Voilà passes the token of its command line (``""`` when none); if the server serves an HR
    notebook (alone, or in its folder) and no token was given, :func:`hr_token` is used.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        app = kwargs.get("parent")
        notebook = getattr(app, "notebook_path", None) or ""
        root = getattr(app, "root_dir", None) or os.getcwd()
        self.serves_only_hr = Path(notebook).name.lower() in HR_NOTEBOOKS if notebook else False
        self.serves_hr = self.serves_only_hr or (
            not notebook and any(next(Path(root).rglob(name), None) for name in HR_NOTEBOOKS)
        )
        self.open_token = self.token  # the server's own setting for the other dashboards
        if self.serves_hr:
            if not self.token:
                self.token = hr_token()
                self.log.info(
                    "HR view: token required (%s, or the file %s)", TOKEN_ENV, token_file()
                )
            os.environ[GUARD_ENV] = "token"  # kernels started from now on inherit it

    def _needs_token(self, handler) -> bool:
        if not self.serves_hr:
            return bool(self.open_token)
        if self.serves_only_hr or self.open_token:
            return True
        return _is_hr_path(handler.request.path)

    async def _get_user(self, handler):
        if not self.serves_only_hr and _is_hr_path(handler.request.path):
            # a folder server (the public one) never serves the HR view, whatever the token:
            # the HR view has its own server (`course apps --server hr`)
            return None
        user = await super()._get_user(handler)
        if user is None and not self._needs_token(handler):
            # an open dashboard of a folder that also holds the HR view
            user = self.generate_anonymous_user(handler)
        return user
