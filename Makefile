# The course's commands. `make start` opens the course, `make test` runs every test.
# Every target works from a fresh clone and can be run again safely.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8888
NO_BROWSER ?=
BIN := $(VENV)/bin
# Jupyter refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
STAMP := $(VENV)/.installed
# nbgrader calls `alembic` by name: keep the environment's bin/ first on PATH for every recipe.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help install start submit progress reset-lesson test test-fast apps bench lint format clean distclean hooks data grade-demo test-deps lock student-edition

help:
	@echo "make start       set up (first time: a few minutes) and open the course in JupyterLab"
	@echo "make submit A=m1_roles   hand in an assignment, then see its score and feedback"
	@echo "make progress    your practice progress;  make reset-lesson L=m1_roles: start it again"
	@echo "make test        run the whole test suite (what CI runs)"
	@echo "make test-fast   the suite without slow and browser tests"
	@echo "make apps        serve the self-assessment and HR dashboards with Voilà"
	@echo "make grade-demo  the instructor's grading flow on the test submissions"
	@echo "make bench       speed and memory benchmarks, as ratios to a baseline"
	@echo "make student-edition  what trainees get (no solutions): build/student-edition"
	@echo "make lint        ruff and notebook hygiene;  make format: fix what ruff can"
	@echo "make hooks       install the git hook that strips notebook outputs on commit"
	@echo "make clean       remove generated files (keeps .venv);  make distclean: .venv too"
	@echo "Options: PORT=8888 NO_BROWSER=1 PYTHON=python3.11"

$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version)). Try PYTHON=python3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

data: install
	$(BIN)/course data verify

# The trainee works in my_lessons/ (own copies, kept across updates); the terminal gets the venv;
# course/jupyter/trainee/ hides nbgrader's instructor tools from the trainee's server.
start: install data
	@if [ -d exercises/source ]; then $(BIN)/course grade release --all; fi
	$(BIN)/course lessons prepare
	COURSE_VENV_BIN="$(abspath $(BIN))" JUPYTER_CONFIG_PATH="$(CURDIR)/course/jupyter/trainee" $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
		--ServerApp.terminado_settings="{'shell_command': ['bash', '--rcfile', '$(CURDIR)/course/jupyter/terminal_rc.sh', '-i']}" \
		my_lessons/m0_start_here.ipynb --port=$(PORT) $(if $(NO_BROWSER),--no-browser,) $(ALLOW_ROOT)

# Trainee shortcuts: make submit A=m1_roles (hand in, then score and feedback); make progress;
# make reset-lesson L=m1_roles (a fresh copy; yours is saved in my_lessons/.previous/).
submit: install
	@test -n "$(A)" || { echo "usage: make submit A=m1_roles (a lesson or assignment name)"; exit 2; }
	$(BIN)/course grade submit $(A)
	$(BIN)/course grade score $(A)

progress: install
	@$(BIN)/course progress $(L)

reset-lesson: install
	@test -n "$(L)" || { echo "usage: make reset-lesson L=m1_roles"; exit 2; }
	$(BIN)/course lessons reset $(L)

# Browser tests inject axe-core, installed from the npm registry into tests/dashboards/node_modules.
test-deps: install
	@if [ -f tests/dashboards/package.json ]; then \
		if [ ! -d tests/dashboards/node_modules/axe-core ]; then \
			(cd tests/dashboards && npm ci --no-audit --no-fund --loglevel=error); fi; fi

# Two pytest workers (the machines are 2 cores); tests that share one server carry an
# xdist_group and run on one worker. TEST_WORKERS=0 runs the suite serially.
TEST_WORKERS ?= 2
test: install test-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

apps: install data
	$(BIN)/course apps

# The instructor's flow on the fixture submissions, in its own course folder (build/grade-demo).
grade-demo: install data
	rm -rf build/grade-demo
	@set -e; grade="$(BIN)/course grade --course-dir build/grade-demo/grading"; \
	for a in $$(cd exercises/source && ls); do \
		echo "== $$a"; \
		$$grade release $$a --no-copy; \
		$$grade fixtures $$a build/grade-demo/incoming/$$a; \
		$$grade collect $$a build/grade-demo/incoming/$$a; \
		$$grade autograde $$a --workers 2 || echo "(the fixtures include submissions that cannot be graded)"; \
		$$grade feedback $$a; \
		$$grade report $$a; \
	done; \
	$$grade export --output build/grade-demo/grades.csv; \
	echo "== gradebook summary"; $$grade summary

# What trainees get: lessons, datasets, the course package, released assignments; no solutions.
student-edition: install
	$(BIN)/course bundle student build/student-edition --force

bench: install test-deps
	@set -e; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	git ls-files -z '*.ipynb' | xargs -0 -r $(BIN)/python -m course.nbtools check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve the dependency ranges of pyproject.toml into the lock file (needs the package registry).
lock:
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet -e '.[test]'
	@{ sed -n '1,/^[^#]/{/^#/p}' requirements/constraints.txt; \
	   build/lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements/constraints.txt.new
	mv requirements/constraints.txt.new requirements/constraints.txt
	rm -rf build/lock-venv
	@echo "requirements/constraints.txt regenerated: review 'git diff', then make test"

hooks:
	git config core.hooksPath .githooks
	@echo "hooks installed: notebooks are stripped of outputs at each commit"

clean:
	rm -rf grading/release grading/submitted grading/autograded grading/feedback grading/exchange \
		grading/exports grading/reports grading/gradebook.db benchmarks/results \
		.pytest_cache .ruff_cache .hypothesis build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
