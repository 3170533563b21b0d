"""The hub identity as a resume code: on JupyterHub, a person's drafts follow their account.

Behind JupyterHub each person's server knows who they are (``JUPYTERHUB_USER``, set by the hub
in the server's and kernels' environment). The self-assessment apps then need no resume code
to write down: :func:`hub_resume_code` turns the user name into a code of the usual form
(:data:`course.assess.store.CODE_PATTERN`) with an HMAC keyed by a secret of the site
(``COURSE_IDENTITY_SECRET``, set by ``deploy/jupyterhub/jupyterhub_config.py``). The store keeps
only the code's hash, as for any code, so the database never holds a user name.

This is the one seam between the hub and the store: the apps call :func:`hub_resume_code` and
use the code wherever a typed code would go (drafts, contributions, withdrawal); the store is
unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

__all__ = ["SECRET_ENV", "USER_ENV", "hub_resume_code", "hub_user"]

USER_ENV = "JUPYTERHUB_USER"
SECRET_ENV = "COURSE_IDENTITY_SECRET"
_MIN_SECRET = 16


def hub_user(environ: Mapping[str, str] | None = None) -> str | None:
    """The hub user this server belongs to, or ``None`` outside JupyterHub."""
    environ = os.environ if environ is None else environ
    return environ.get(USER_ENV) or None


def hub_resume_code(environ: Mapping[str, str] | None = None) -> str | None:
    """The resume code of the hub user, or ``None`` outside a hub configured for it.

    Args:
        environ: where to read ``JUPYTERHUB_USER`` and ``COURSE_IDENTITY_SECRET``
            (default ``os.environ``).

    Returns:
        22 URL-safe characters, the same for a user at every visit; ``None`` when there is no
        hub user or no secret of at least 16 characters (the apps then use typed codes).
    """
    environ = os.environ if environ is None else environ
    user, secret = hub_user(environ), environ.get(SECRET_ENV, "")
    if not user or len(secret) < _MIN_SECRET:
        return None
    digest = hmac.new(secret.encode(), f"cm-course:{user}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")
