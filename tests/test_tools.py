"""The README's tooling runs: the benchmark script (its quick part) and the Makefile targets."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pathlib import Path

from conftest import ROOT


@pytest.mark.slow
def test_benchmark_lab_timings_run():
    result = subprocess.run([sys.executable, "tools/benchmark.py", "--only", "labs"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [l for l in result.stdout.splitlines() if l.startswith("lab ")]
    assert len(lines) == len(list((ROOT / "exercises").glob("*.ipynb")))


def test_makefile_targets_named_in_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = subprocess.run(["make", "-n", "book", "test", "student", "student-book", "benchmark",
                             "links", "deploy"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for target in ("make book", "make test", "make student"):
        assert target in readme
    assert "tools/benchmark.py" in readme


def test_links_lists_external_links_and_checks_them(tmp_path):
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    served = tmp_path / "served"
    served.mkdir()
    (served / "ok.html").write_text("fine", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    build = tmp_path / "html"
    build.mkdir()
    (build / "page.html").write_text(
        f'<a href="{base}/ok.html">ok</a> <a href="{base}/missing.html">gone</a> '
        '<a href="https://mybinder.org/v2/gh/x/y/main">launch</a> <a href="other.html">internal</a>',
        encoding="utf-8")
    tool = [sys.executable, str(ROOT / "tools" / "links.py")]
    listed = subprocess.run([*tool, str(build)], capture_output=True, text=True)
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [f"{base}/missing.html\tpage.html", f"{base}/ok.html\tpage.html"]
    checked = subprocess.run([*tool, "--check", str(build)], capture_output=True, text=True)
    server.shutdown()
    assert checked.returncode == 1
    assert f"FAIL {base}/missing.html: HTTP 404" in checked.stdout
    assert "1 of 2 external links answered" in checked.stdout
    assert subprocess.run([*tool, str(tmp_path / "nothing")], capture_output=True).returncode == 2


def test_deploy_publishes_the_html_to_a_gh_pages_branch(tmp_path):
    env = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@localhost", "GIT_COMMITTER_NAME": "ci",
           "GIT_COMMITTER_EMAIL": "ci@localhost", "PATH": __import__("os").environ["PATH"]}
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    html = tmp_path / "out" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("<p>book</p>", encoding="utf-8")
    git = git_runner(env)
    git("init", "--bare", "-q", str(remote))
    git("init", "-q", "-b", "main", str(work))
    git("-C", str(work), "commit", "-q", "--allow-empty", "-m", "start")
    git("-C", str(work), "remote", "add", "origin", str(remote))
    result = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "deploy", f"VENV={Path(sys.prefix)}", f"BUILD_OUT={tmp_path / 'out'}"],
        cwd=work, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    files = git("--git-dir", str(remote), "ls-tree", "--name-only", "gh-pages").split()
    assert files == [".nojekyll", "index.html"]


def git_runner(env):
    def git(*args):
        return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout
    return git


def test_citation_and_workflow_agree_with_the_book_config():
    import yaml

    from osmcourse.classroom import repository_url

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["title"] and citation["authors"]
    assert citation["repository-code"] == repository_url(ROOT), "CITATION.cff must name the repository in _config.yml"
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["publish"]["steps"])
    assert "make book" in steps and "make deploy" in steps
