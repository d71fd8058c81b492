"""The README's tooling runs: the benchmark script (its quick part) and the Makefile targets."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from pathlib import Path

from conftest import ROOT


def benchmark(*args: str) -> str:
    """What ``tools/benchmark.py ARGS`` prints; it must succeed."""
    result = subprocess.run(
        [sys.executable, "tools/benchmark.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.slow
def test_benchmark_lab_timings_run():
    lines = [line for line in benchmark("--only", "labs").splitlines() if line.startswith("lab ")]
    assert len(lines) == len(list((ROOT / "exercises").glob("*.ipynb")))


@pytest.mark.slow
def test_benchmark_grader_timings_run():
    out = benchmark("--only", "grader", "--class-size", "2")
    assert "grader: 2 x broadcast-or-bazaar, sandboxed" in out
    assert re.search(
        r"kernel CPU per submission, start-up included: +median \d+\.\d\d s, max \d+\.\d\d s", out
    )
    assert re.search(r"sandbox on / off: +wall [\d.]+ / [\d.]+ s = [\d.]+x; CPU", out)


@pytest.mark.slow
def test_benchmark_class_on_one_node_runs():
    out = benchmark("--only", "class", "--class-size", "2")
    assert re.search(
        r"class: 2 x broadcast-or-bazaar, sandboxed, default --jobs: +\d+\.\d s wall, "
        r"\d+\.\d s CPU \(grader \+ kernels\), \d+\.\d notebooks a minute",
        out,
    ), out
    assert re.search(
        r"machine at the start: +\d+ cores, load average \d+\.\d\d \d+\.\d\d \d+\.\d\d", out
    ), out
    assert "sandbox on / off" not in out  # graded once, sandboxed


def test_makefile_targets_named_in_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    result = subprocess.run(
        ["make", "-n", "book", "test", "student", "student-book", "benchmark", "links", "deploy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
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
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(served))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    build = tmp_path / "html"
    build.mkdir()
    (build / "page.html").write_text(
        f'<a href="{base}/ok.html">ok</a> <a href="{base}/missing.html">gone</a> '
        '<a href="https://mybinder.org/v2/gh/x/y/main">launch</a> <a href="other.html">internal</a>',
        encoding="utf-8",
    )
    tool = [sys.executable, str(ROOT / "tools" / "links.py")]
    listed = subprocess.run([*tool, str(build)], capture_output=True, text=True)
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        f"{base}/missing.html\tpage.html",
        f"{base}/ok.html\tpage.html",
    ]
    checked = subprocess.run([*tool, "--check", str(build)], capture_output=True, text=True)
    server.shutdown()
    assert checked.returncode == 1
    assert f"FAIL {base}/missing.html: HTTP 404" in checked.stdout
    assert "1 of 2 external links answered" in checked.stdout
    assert subprocess.run([*tool, str(tmp_path / "nothing")], capture_output=True).returncode == 2


PUBLISHED = "https://github.com/course-team/open-source-marketing"


def deploy_fixture(tmp_path: Path, repository_url: str, remote_url: str = PUBLISHED + ".git"):
    """A built book, a book config naming ``repository_url``, and a work repository whose
    ``origin`` is ``remote_url``; pushes to that URL land in a local bare repository
    (git's ``insteadOf``), so nothing leaves the machine."""
    env = {
        "GIT_AUTHOR_NAME": "ci",
        "GIT_AUTHOR_EMAIL": "ci@localhost",
        "GIT_COMMITTER_NAME": "ci",
        "GIT_COMMITTER_EMAIL": "ci@localhost",
        "PATH": os.environ["PATH"],
    }
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    html = tmp_path / "out" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("<p>book</p>", encoding="utf-8")
    config = tmp_path / "_config.yml"
    config.write_text(
        f"title: t\nrepository:\n  url: {repository_url}\n  branch: main\n", encoding="utf-8"
    )
    git = git_runner(env)
    git("init", "--bare", "-q", str(remote))
    git("init", "-q", "-b", "main", str(work))
    git("-C", str(work), "commit", "-q", "--allow-empty", "-m", "start")
    git("-C", str(work), "remote", "add", "origin", remote_url)
    git("-C", str(work), "config", f"url.{remote}.insteadOf", remote_url)

    def deploy(**extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                "make",
                "-f",
                str(ROOT / "Makefile"),
                "deploy",
                f"VENV={Path(sys.prefix)}",
                f"BUILD_OUT={tmp_path / 'out'}",
                f"BOOK_CONFIG={config}",
            ],
            cwd=work,
            capture_output=True,
            text=True,
            env={**env, **extra_env},
        )

    def published() -> list[str]:
        branches = git("--git-dir", str(remote), "branch", "--list", "gh-pages").split()
        if not branches:
            return []
        return git("--git-dir", str(remote), "ls-tree", "--name-only", "gh-pages").split()

    return deploy, published


def test_deploy_publishes_the_html_to_a_gh_pages_branch(tmp_path):
    # repository.url and the remote name the same repository, spelt differently (case, .git).
    deploy, published = deploy_fixture(
        tmp_path, "https://github.com/Course-Team/open-source-marketing/"
    )
    result = deploy()
    assert result.returncode == 0, result.stderr
    assert published() == [".nojekyll", "index.html"]


def test_deploy_refuses_when_repository_url_names_another_repository(tmp_path):
    deploy, published = deploy_fixture(
        tmp_path, "https://github.com/EXAMPLE-ORG/open-source-marketing"
    )
    result = deploy()
    assert result.returncode != 0
    assert published() == [], "nothing may be pushed"
    message = " ".join(result.stderr.split())
    assert "refusing to publish" in message
    assert "https://github.com/EXAMPLE-ORG/open-source-marketing" in message
    assert f"Change repository.url (and branch) in _config.yml to {PUBLISHED}" in message
    assert "CITATION.cff" in message and "make student" in message


def test_deploy_refuses_a_remote_that_names_no_hosted_repository(tmp_path):
    deploy, published = deploy_fixture(
        tmp_path, PUBLISHED, remote_url=str(tmp_path / "elsewhere.git")
    )
    result = deploy()
    assert result.returncode != 0 and published() == []
    assert "names no hosted repository" in result.stderr


def test_deploy_on_github_actions_compares_with_github_repository(tmp_path):
    # On Actions the repository being published is GITHUB_REPOSITORY, whatever the remote says.
    deploy, published = deploy_fixture(tmp_path, PUBLISHED)
    refused = deploy(GITHUB_ACTIONS="true", GITHUB_REPOSITORY="someone-else/their-fork")
    assert refused.returncode != 0 and published() == []
    assert "GITHUB_REPOSITORY" in refused.stderr
    assert "https://github.com/someone-else/their-fork" in refused.stderr
    accepted = deploy(GITHUB_ACTIONS="true", GITHUB_REPOSITORY="course-team/open-source-marketing")
    assert accepted.returncode == 0, accepted.stderr
    assert published() == [".nojekyll", "index.html"]


def test_publish_check_reads_the_forms_git_gives_a_repository_address():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from publish_check import repository_key
    finally:
        sys.path.remove(str(ROOT / "tools"))
    same = {
        repository_key(url)
        for url in (
            "https://github.com/Course-Team/open-source-marketing",
            "https://github.com/course-team/open-source-marketing.git/",
            "git@github.com:course-team/open-source-marketing.git",
            "ssh://git@github.com/course-team/open-source-marketing.git",
        )
    }
    assert same == {"github.com/course-team/open-source-marketing"}
    assert repository_key("https://github.com/course-team/other") not in same
    assert repository_key("/srv/git/course.git") is None
    assert repository_key("file:///srv/git/course.git") is None


def git_runner(env):
    def git(*args):
        return subprocess.run(
            ["git", *args], check=True, capture_output=True, text=True, env=env
        ).stdout

    return git


def test_citation_and_workflow_agree_with_the_book_config():
    import yaml

    from osmcourse.student.copies import repository_url

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["title"] and citation["authors"]
    assert citation["repository-code"] == repository_url(ROOT), (
        "CITATION.cff must name the repository in _config.yml"
    )
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["publish"]["steps"])
    assert "make book" in steps and "make deploy" in steps
    # The workflow refuses early, before the build, when repository.url names another repository.
    assert steps.index("make publish-check") < steps.index("make book")


def test_the_workflow_tests_every_push_and_pull_request_and_publishes_only_after():
    import yaml

    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers and "pull_request" in triggers
    assert set(workflow["jobs"]) == {"test", "publish"}
    test_steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["test"]["steps"])
    assert ".ci/run" in test_steps, "CI on GitHub runs what the project's CI runs"
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "test", "publishing waits for the tests"
    assert "pull_request" in publish["if"] and "refs/heads/main" in publish["if"]
    # Only the publishing job may write to the repository.
    assert workflow["permissions"] == {"contents": "read"}
    assert [p for p in (ROOT / ".github" / "workflows").iterdir()] == [
        ROOT / ".github" / "workflows" / "ci.yml"
    ]


def test_the_lighthouse_server_sends_gzip_as_github_pages_does(tmp_path):
    import gzip
    import urllib.request

    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import lighthouse
    finally:
        sys.path.remove(str(ROOT / "tools"))
    page = "<!doctype html><title>t</title>" + "words " * 500
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG" + bytes(300))
    with lighthouse.GzipSite(tmp_path) as site:
        assert site.pages() == ["index.html", "sub/index.html"]
        for address in ("index.html", "sub/"):
            request = urllib.request.Request(
                site.base + address, headers={"Accept-Encoding": "gzip, br"}
            )
            with urllib.request.urlopen(request) as response:
                assert response.headers["Content-Encoding"] == "gzip"
                assert response.headers["Content-Type"] == "text/html; charset=utf-8"
                assert response.headers["Cache-Control"] == "max-age=600"
                body = response.read()
            assert len(body) < len(page) / 5 and gzip.decompress(body).decode() == page
        with urllib.request.urlopen(site.base + "index.html") as response:  # no Accept-Encoding
            assert response.headers["Content-Encoding"] is None and response.read().decode() == page
        request = urllib.request.Request(
            site.base + "figure.png", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request) as response:  # images go as they are
            assert response.headers["Content-Encoding"] is None and len(response.read()) == 304
