# Start-up file of JupyterLab's terminal for trainees (`make start`): the user's own bash set-up,
# then the course's environment first on PATH, so that `course …` works as in the README.
if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
if [ -n "$COURSE_VENV_BIN" ]; then export PATH="$COURSE_VENV_BIN:$PATH"; fi
