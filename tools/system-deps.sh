#!/usr/bin/env bash
# The Debian packages the build and the tests need, checked all at once before anything starts.
#
#   tools/system-deps.sh GROUP...    groups: venv browser spreadsheet grader pdf
#
# Each group names what it checks (a command, a font, a file) and the package that brings it.
# As root with apt-get (CI, a container), the missing packages are installed in one go.
# Otherwise nothing is installed: every missing package is listed, with the one apt-get command
# that installs them all, and the exit status is 1, so `make test` stops before the first test
# instead of failing half-way through.
set -uo pipefail

PYTHON=${PYTHON:-python3}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
missing=()
why=()

need() {  # need PACKAGE REASON: record a missing package once
  local package
  for package in "${missing[@]}"; do [[ $package == "$1" ]] && return; done
  missing+=("$1")
  why+=("$1: $2")
}

has() { command -v "$1" >/dev/null 2>&1; }
fonts=""
font() {  # font FAMILY: fontconfig knows it (the list read once; no pipe into grep -q, which
          # would end fc-list early with SIGPIPE and so fail under pipefail)
  has fc-list || return 1
  [[ -n $fonts ]] || fonts=$(fc-list 2>/dev/null)
  [[ $fonts == *"$1"* ]]
}

for group in "$@"; do
  case $group in
    venv)  # `make install` and the student environment: python -m venv with pip
      "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 || need python3-venv "$PYTHON -m venv (ensurepip)" ;;
    browser)  # the browser tests: Debian's Chromium (never a download) and axe-core from npm
      [[ -x $CHROMIUM ]] || need chromium "$CHROMIUM"
      has node || need nodejs "node"
      has npm || need npm "npm (npm ci --prefix tests/browser)" ;;
    spreadsheet)  # the gradebook tests open the spreadsheets in LibreOffice, headless
      has soffice || need libreoffice-calc-nogui "soffice" ;;
    grader)  # the grader's sandbox (prlimit and setpriv come with util-linux)
      has bwrap || need bubblewrap "bwrap" ;;
    pdf)  # the PDF: XeLaTeX, latexmk, fonts for every character, poppler to read it back
      has xelatex || {
        need texlive-xetex "xelatex"
        need texlive-latex-recommended "the LaTeX packages Sphinx uses"
        need texlive-latex-extra "the LaTeX packages Sphinx uses"
        need texlive-fonts-recommended "the LaTeX fonts"
      }
      has latexmk || need latexmk "latexmk"
      has pdftotext || need poppler-utils "pdftotext (and pdfimages)"
      has fc-list || need fontconfig "fc-list"
      font "Noto Serif" || need fonts-noto-core "the Noto Serif font"
      font "DejaVu" || need fonts-dejavu-core "the DejaVu fonts"
      font "Symbola" || need fonts-symbola "the Symbola font (emoji)" ;;
    *)
      echo "system-deps: unknown group '$group' (venv browser spreadsheet grader pdf)" >&2
      exit 2 ;;
  esac
done

[[ ${#missing[@]} == 0 ]] && exit 0

if [[ $(id -u) == 0 ]] && has apt-get; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" && exit 0
  echo "apt-get could not install: ${missing[*]}" >&2
  exit 1
fi

{
  echo "Missing system packages (Debian names), needed before the tests can run:"
  printf '  %s\n' "${why[@]}"
  echo "Install them with:"
  echo "  sudo apt-get install ${missing[*]}"
  echo "(or ask whoever administers this machine), then run the same make command again."
} >&2
exit 1
