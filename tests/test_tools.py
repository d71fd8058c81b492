"""The README's tooling runs: the benchmark script (its quick part) and the Makefile targets."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
    result = subprocess.run(["make", "-n", "book", "test", "student", "student-book", "benchmark"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for target in ("make book", "make test", "make student"):
        assert target in readme
    assert "tools/benchmark.py" in readme
