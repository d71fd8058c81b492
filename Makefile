# Two commands do everything on a fresh machine with Python 3.11:
#   make book   install (into .venv) and build the HTML book into _build/html
#   make test   install (into .venv) and run the whole test suite
# and one for the edit-test loop, once .venv exists:
#   make test-fast   the unit tests only (no book, browser, notebook, kernel or venv), under 90 s
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
BUILD_OUT ?= .
STUDENT_OUT ?= exercises/student

.PHONY: book test test-fast lint system-deps npm-deps install student-env publish-check browser-deps spreadsheet-deps grader-deps build student-book student benchmark links deploy pdf-deps pdf student-pdf quiz-export

book: install build

# The whole suite, with nbval over every master lab (exercises/; pyproject.toml does not add
# --nbval, so the fast loop runs no notebook). Test files run in parallel (pytest-xdist,
# TEST_JOBS workers; TEST_JOBS=0 for one process), each file whole on one worker (a notebook's
# cells share one kernel), and every file that uses the built book together (tests/conftest.py's
# pytest_xdist_make_scheduler), so the book is built once.
TEST_JOBS ?= logical
test: system-deps install student-env npm-deps lint
	OSM_STUDENT_VENV=$(abspath $(STUDENT_VENV)) $(PY) -m pytest -n $(TEST_JOBS) --dist loadfile \
	  --durations=15 --nbval exercises tests

# Unit tests only, in the existing .venv (never installs): no book build, no Sphinx project,
# no browser, node or JupyterLab, no notebook or kernel, no venv. The tests marked slow are
# the rest.
test-fast: lint
	$(PY) -m pytest -m "not slow" -q -p no:cacheprovider tests

# Lint and format check (ruff, pinned in requirements-book.txt; settings in pyproject.toml).
# `$(VENV)/bin/ruff format .` formats the tree; the check only reads it.
lint:
	@test -x $(PY) || { echo "$(PY) is missing: run make install (or make test) once first"; exit 1; }
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every Debian package the tests need, checked at once before anything is installed or run:
# as root, apt-get installs what is missing; otherwise tools/system-deps.sh lists each missing
# package and the apt-get command that installs them, and make stops (exit status 1).
system-deps:
	@PYTHON=$(PYTHON) $(BOOK_DIR)tools/system-deps.sh venv browser spreadsheet grader pdf

# Two pinned environments from one source: requirements.txt is the students' (JupyterLab, the
# scientific stack, the package; Binder reads it), requirements-book.txt includes it and adds
# the build and test tools. `make install` sets up the second in .venv.
install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-book.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-book.txt
	touch $@

# The students' environment alone (requirements.txt only), as Binder, a hub or a laptop has
# it: tests/test_jupyterlab.py starts JupyterLab from it.
STUDENT_VENV ?= .venv-student
student-env: $(STUDENT_VENV)/.installed

$(STUDENT_VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(STUDENT_VENV)/bin/python -m pip install --quiet -r requirements.txt
	$(STUDENT_VENV)/bin/python -m osmcourse.student.jupyter_server
	touch $@

# One group each (tools/system-deps.sh says what each checks): the gradebook tests open the
# grader's spreadsheets in LibreOffice (headless); the grader runs each student's notebook in a
# bubblewrap sandbox; the browser tests need Debian's Chromium (never a browser download) and
# Node.js for axe-core and the GIFT parser (npm-deps).
spreadsheet-deps:
	@$(BOOK_DIR)tools/system-deps.sh spreadsheet

grader-deps:
	@$(BOOK_DIR)tools/system-deps.sh grader

browser-deps: npm-deps

npm-deps:
	@$(BOOK_DIR)tools/system-deps.sh browser
	npm ci --prefix tests/browser --no-audit --no-fund --silent

# The build itself (zero warnings allowed); the tests run this target too.
# The HTML folder starts empty, so what is published never mixes pages from two builds (a
# renamed page leaves no old copy behind); every page is written, and only pages whose source
# or package code changed are read and executed again (osmcourse/book/freshness.py).
build:
	rm -rf $(BUILD_OUT)/_build/html
	$(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(BUILD_OUT)

# The student edition of the book: no solutions, no answer keys (into _build/student).
STUDENT_BOOK_OUT ?= _build/student
student-book: install
	rm -rf $(STUDENT_BOOK_OUT)/_build/html
	OSM_EDITION=student $(VENV)/bin/jupyter-book build . -W -n --keep-going --path-output $(STUDENT_BOOK_OUT)

# The whole course as one book-style PDF (XeLaTeX from Debian's TeX Live, offline; see
# osmcourse/book/latex.py; osmcourse/book/pdf.py). The LaTeX log is checked (no errors, no missing glyphs, no
# dangling links), the PDF goes to _build/pdf/open-source-marketing.pdf, then the HTML book
# is built again: every page's download menu links to the PDF, copied into _build/html/.
# `make pdf` (or `make book pdf`) gives both. `make student-pdf` does the same for the
# student edition: _build/student/_build/pdf/open-source-marketing-student.pdf.
PDF_BUILD = LATEXOPTS="-halt-on-error -interaction=nonstopmode" $(VENV)/bin/jupyter-book build . --builder pdflatex -W -n --keep-going
pdf: install pdf-deps
	rm -rf $(BUILD_OUT)/_build/latex
	$(PDF_BUILD) --path-output $(BUILD_OUT)
	$(PY) -m osmcourse.book.pdf $(BUILD_OUT)/_build full
	$(MAKE) --no-print-directory build

student-pdf: install pdf-deps
	rm -rf $(STUDENT_BOOK_OUT)/_build/latex
	OSM_EDITION=student $(PDF_BUILD) --path-output $(STUDENT_BOOK_OUT)
	$(PY) -m osmcourse.book.pdf $(STUDENT_BOOK_OUT)/_build student
	$(MAKE) --no-print-directory student-book

# The PDF needs Debian's TeX Live (XeLaTeX), latexmk and fonts for every character of the
# texts (Symbola: the emoji); the PDF tests read it with poppler's pdftotext.
# (tools/system-deps.sh pdf: texlive-xetex texlive-latex-recommended texlive-latex-extra
# texlive-fonts-recommended latexmk fonts-noto-core fonts-dejavu-core fonts-symbola poppler-utils)
pdf-deps:
	@$(BOOK_DIR)tools/system-deps.sh pdf

# The reading checks as a Moodle quiz (GIFT format; import under Question bank > Import).
quiz-export:
	$(PY) -m osmcourse quiz-export $(BUILD_OUT)/_build/quiz/reading-checks.gift
	$(PY) -m osmcourse quiz-export $(BUILD_OUT)/_build/quiz/reading-checks-qti.zip --format qti

# Regenerate the student copies of the labs (committed; a test checks they are current).
student:
	$(PY) -m osmcourse student --out $(STUDENT_OUT)

benchmark: install
	$(PY) tools/benchmark.py

# External links: list them; `make links CHECK=--check` requests each (needs a network).
links:
	$(PY) tools/links.py $(CHECK) $(BUILD_OUT)/_build/html

# Publish _build/html to the gh-pages branch of DEPLOY_REMOTE (GitHub Pages serves it), but
# only when _config.yml's repository.url names the repository being published (the launch
# buttons and the Colab cell follow it): tools/publish_check.py says what to change.
DEPLOY_REMOTE ?= origin
BOOK_DIR := $(dir $(abspath $(firstword $(MAKEFILE_LIST))))
BOOK_CONFIG ?= $(BOOK_DIR)_config.yml
publish-check:
	$(PY) $(BOOK_DIR)tools/publish_check.py --config $(BOOK_CONFIG) --remote $(DEPLOY_REMOTE)

deploy: publish-check
	$(VENV)/bin/ghp-import --no-jekyll --push --force --remote $(DEPLOY_REMOTE) \
	  --message "Publish the book" $(BUILD_OUT)/_build/html
