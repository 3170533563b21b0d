"""nbgrader settings of the trainee's JupyterLab (on JUPYTER_CONFIG_PATH through `make start`).

Only Validate runs in the trainee's server, and it needs no course settings: this file exists so
that nbgrader finds a configuration and does not log "No nbgrader_config.py file found". The
instructor's settings are in grading/nbgrader_config.py.
"""

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)
