# Two commands do everything on a fresh machine with Python 3.11:
#   make book   install (into .venv) and build the HTML book into _build/html
#   make test   install (into .venv) and run the whole test suite
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
BUILD_OUT ?= .
STUDENT_OUT ?= exercises/student

.PHONY: book test install browser-deps build student-book student benchmark links deploy

book: install build

test: install browser-deps
	$(PY) -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The browser tests need Debian's Chromium (never a browser download) and axe-core.
browser-deps:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } || \
	  { echo "install Debian's chromium package (apt-get install chromium chromium-driver)"; exit 1; }
	npm ci --prefix tests/browser --no-audit --no-fund --silent

# The build itself (zero warnings allowed); the tests run this target too.
build:
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(BUILD_OUT)

# The student edition of the book: no solutions, no answer keys (into _build/student).
STUDENT_BOOK_OUT ?= _build/student
student-book: install
	OSM_EDITION=student $(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(STUDENT_BOOK_OUT)

# Regenerate the student copies of the labs (committed; a test checks they are current).
student:
	$(PY) -m osmcourse student --out $(STUDENT_OUT)

benchmark: install
	$(PY) tools/benchmark.py

# External links: list them; `make links CHECK=--check` requests each (needs a network).
links:
	$(PY) tools/links.py $(CHECK) $(BUILD_OUT)/_build/html

# Publish _build/html to the gh-pages branch of DEPLOY_REMOTE (GitHub Pages serves it).
DEPLOY_REMOTE ?= origin
deploy:
	$(VENV)/bin/ghp-import --no-jekyll --push --force --remote $(DEPLOY_REMOTE) \
	  --message "Publish the book" $(BUILD_OUT)/_build/html
