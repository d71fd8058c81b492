"""Launch buttons open the student copy of a lab: Binder, Colab, and a JupyterHub (through
nbgitpuller) when ``launch_buttons.jupyterhub_url`` is set."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import yaml

from conftest import ROOT
from osmcourse.book.launch import student_copy_url

MASTER, STUDENT = "exercises/head-and-tail.ipynb", "exercises/student/head-and-tail.ipynb"
REPO = "https://github.com/EXAMPLE-ORG/open-source-marketing"
HUB = "https://hub.example.edu"


def hub_link(safe: str) -> str:
    """An nbgitpuller link as sphinx-book-theme writes it (safe="/"), or fully encoded."""
    query = urlencode(
        {"repo": REPO, "urlpath": f"lab/tree/open-source-marketing/{MASTER}", "branch": "main"},
        safe=safe,
    )
    return f"{HUB}/hub/user-redirect/git-pull?{query}"


@pytest.mark.parametrize("safe", ["/", ""])
def test_the_hub_link_opens_the_student_copy_whether_or_not_its_path_is_encoded(safe):
    link = student_copy_url(hub_link(safe), MASTER, STUDENT)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{HUB}/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": [REPO],
        "branch": ["main"],
        "urlpath": [f"lab/tree/open-source-marketing/{STUDENT}"],
    }


def test_binder_and_colab_links_open_the_student_copy_and_keep_the_rest():
    binder = f"https://mybinder.org/v2/gh/EXAMPLE-ORG/open-source-marketing/main?urlpath=lab/tree/{MASTER}"
    colab = f"https://colab.research.google.com/github/EXAMPLE-ORG/open-source-marketing/blob/main/{MASTER}"
    assert student_copy_url(binder, MASTER, STUDENT) == binder.replace(MASTER, STUDENT)
    assert student_copy_url(colab, MASTER, STUDENT) == colab.replace(MASTER, STUDENT)
    # Another notebook whose name merely ends the same way is not touched.
    other = colab.replace(MASTER, "exercises/more-head-and-tail.ipynb")
    assert student_copy_url(other, MASTER, STUDENT) == other


@pytest.mark.slow
def test_setting_a_jupyterhub_adds_a_hub_button_to_the_student_copy(tmp_path):
    """A one-lab copy of the book, built with ``jupyterhub_url`` set (the lab's stored outputs,
    no execution): the lab page gets a JupyterHub button whose nbgitpuller link opens the
    student copy; without the setting there is none."""
    book = tmp_path / "book"
    (book / "exercises").mkdir(parents=True)
    shutil.copy2(ROOT / "references.bib", book)
    shutil.copy2(ROOT / MASTER, book / MASTER)
    (book / "index.md").write_text(
        "# A one-lab book\n\nFor the launch button test.\n", encoding="utf-8"
    )
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n  - file: exercises/head-and-tail\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"].get("jupyterhub_url", "") == "", "the course ships no hub"
    config["execute"]["execute_notebooks"] = "off"
    links = {}
    for hub in ("", HUB + "/"):
        config["launch_buttons"]["jupyterhub_url"] = hub
        (book / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        out = tmp_path / f"out-{bool(hub)}"
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("jupyter-book")),
                "build",
                str(book),
                "--path-output",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        page = (out / "_build" / "html" / "exercises" / "head-and-tail.html").read_text(
            encoding="utf-8"
        )
        links[hub] = [
            html.unescape(link)
            for link in re.findall(r'href="(https://hub\.example\.edu/[^"]*)"', page)
        ]
        assert "mybinder.org" in page
    assert links[""] == []
    [link] = links[HUB + "/"]
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {
        "repo": [config["repository"]["url"]],
        "branch": ["main"],
        "urlpath": [f"lab/tree/open-source-marketing/{STUDENT}"],
    }
    assert (ROOT / STUDENT).is_file()
