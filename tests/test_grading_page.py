"""The instructors' grading page states the sandbox's figures the code uses: one test reads both."""

from __future__ import annotations

from osmcourse.grading.answers import MAX_MESSAGE_CONTAINERS
from osmcourse.grading.cell_runner import ANSWER_WAIT_SECONDS
from osmcourse.grading.grader import MAX_CELLS, MAX_NOTEBOOK_BYTES, MAX_NOTEBOOK_CONTAINERS
from osmcourse.grading.kernel_client import message_bound
from osmcourse.grading.limits import Limits, size_text

from conftest import ROOT

PAGE = ROOT / "chapters" / "instructors" / "grading.md"


def test_every_sandbox_figure_on_the_grading_page_is_the_codes():
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    limits = Limits()
    per_cell = Limits.from_timeout(10**6).cell_cpu_seconds  # the cap on a cell's CPU time
    assert MAX_NOTEBOOK_CONTAINERS == MAX_MESSAGE_CONTAINERS  # the page states one figure
    stated = [
        f"| {size_text(limits.memory_bytes)} | a memory control group |",
        f"| {limits.processes} / {8 * limits.processes} | the grader's count",
        f"| {size_text(limits.disk_bytes)} each / {size_text(limits.shm_bytes)} | the size of each tmpfs |",
        f"| {limits.files:,} | counted from the tmpfs",
        f"| {size_text(limits.file_bytes)} | the file-size limit |",
        f"half of it (at most {per_cell:g} s) per cell",
        f"| {limits.idle_seconds:g} s for the notebook |",
        f"counts against its {limits.idle_seconds:g} s of waiting",
        f"keeps at most {size_text(message_bound(limits))} of any one message",
        f"a message larger than {size_text(message_bound(limits))} and was stopped.",
        f"more than {MAX_MESSAGE_CONTAINERS:,} lists and objects is dropped unread",
        f"waits at most {ANSWER_WAIT_SECONDS:g} seconds for the answers",
        f"against the notebook's {limits.idle_seconds:g} s of waiting",
        f"larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB, or holding more than "
        f"{MAX_NOTEBOOK_CONTAINERS:,} JSON lists and objects",
        f"more than {MAX_CELLS:,} cells (counted as the JSON parser reads them",
    ]
    missing = [figure for figure in stated if figure not in text]
    assert not missing, missing
    # Statements that were not true of the code are gone.
    for untrue in ("at most a few dozen messages", "Linux itself enforces the limits,"):
        assert untrue not in text
