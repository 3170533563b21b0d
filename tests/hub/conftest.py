"""A real JupyterHub for the hub tests, run with deploy/jupyterhub/jupyterhub_config.py.

One hub per session (:class:`course.localhub.LocalHub`): DummyAuthenticator and
SimpleLocalProcessSpawner swapped in, everything else the site's configuration. The store and
the gradebook are PostgreSQL databases of the session's server (tests/conftest.py). Users:

- ``ines`` (group ``instructors``), ``hugo`` (group ``hr``), ``tom`` and ``tina`` (trainees).

The hub needs what `make test-deps` builds: ``HUB_ENV`` (default /var/tmp/cm-course-hub-env)
and configurable-http-proxy in tests/hub/node_modules. Missing pieces fail the tests with the
command to run; they are never skipped.
"""

from __future__ import annotations

import os
import threading

import pytest
from hub_support import HR, INSTRUCTOR, PROXY, TRAINEES, hub_env

from course.localhub import HubError, LocalHub


@pytest.fixture(scope="session")
def hub(new_postgres_database):
    """The running hub, its users created and the servers of ines, tom and tina ready."""
    if os.geteuid() != 0:
        pytest.fail("the hub tests run the hub as the unix user jovyan: run them as root (CI)")
    store = new_postgres_database("hub_store")
    gradebook = new_postgres_database("hub_gradebook")
    local = LocalHub(hub_env(), PROXY, instructors=[INSTRUCTOR], hr=[HR])
    try:
        local.start({"CM_COURSE_DB_URL": store, "CM_GRADEBOOK_URL": gradebook})
    except HubError as exc:
        local.stop()
        pytest.fail(str(exc))
    local.store_url, local.gradebook_url = store, gradebook
    try:
        local.create_users([INSTRUCTOR, HR, *TRAINEES])
        errors: list[BaseException] = []

        def spawn(name: str) -> None:
            try:
                local.spawn(name)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=spawn, args=(n,)) for n in (INSTRUCTOR, *TRAINEES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            pytest.fail(f"spawning failed: {errors[0]}")
        yield local
    finally:
        local.stop()
