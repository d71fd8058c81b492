# Two commands do everything on a fresh machine with Python 3.11:
#   make book   install (into .venv) and build the HTML book into _build/html
#   make test   install (into .venv) and run the whole test suite
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
BUILD_OUT ?= .
STUDENT_OUT ?= exercises/student

.PHONY: book test install build student-book student benchmark

book: install build

test: install
	$(PY) -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

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
