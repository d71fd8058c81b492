"""Limits the kernel enforces, in a graded kernel: none can be dodged, each gives a fixed-text row.

Every notebook here is a real copy of a lab: the solved master (its answers are right before
the attack runs, so a submission the grader does not stop gets 5/5 ``ok``) or the student copy
``make_student_copy`` makes, with attack cells added: files unlinked but kept open, files
behind a path longer than ``PATH_MAX``, a flood of empty folders, ``memfd`` files that no
process's size shows, a copy of ``sleep`` named ``bwrap``, threads, sleeping cells, ``unshare
-Urn`` and system calls a notebook never needs. Limits are small (:data:`LIMITS`) so the batch
is quick. The same attacks run again with control groups off (``Limits(cgroups=False)``), the
fallback for a system that offers none. And a failure of the machine (a kernel that cannot
be prepared or dies before any cell) is retried alone and otherwise reported as
``could not grade, regrade``, never a mark.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

import grading_attacks as attacks
from osmcourse.student.copies import make_student_copy, repository_url
from osmcourse.grading import Limits, grade, isolation_problem
from osmcourse.grading import kernel_client, launch
from osmcourse.grading.rows import COULD_NOT_GRADE

from conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        isolation_problem() is not None, reason=f"no sandbox: {isolation_problem()}"
    ),
]
LAB_FILE = ROOT / "exercises" / "mass-media-vs-word-of-mouth.ipynb"
MB = 1_000_000
# Small enough to reach quickly, well above what the lab itself needs (about 250 MB of memory).
LIMITS = Limits.from_timeout(
    20,
    memory_bytes=700 * MB,
    disk_bytes=40 * MB,
    shm_bytes=10 * MB,
    files=20_000,
    processes=20,
    idle_seconds=4.0,
    cell_wall_seconds=60.0,
    wall_seconds=240.0,
)
FALLBACK = Limits(**{**LIMITS.__dict__, "cgroups": False})

# Each attack runs after the lab's own cells: its answers are already right.
ATTACKS = attacks.LIMIT_ATTACKS
SLOW_ANSWERS = attacks.SLOW_ANSWERS

# Must work in every graded notebook (the cell raises if they do not).
WORKS = """
import multiprocessing, os, subprocess, tempfile
with tempfile.TemporaryDirectory() as folder:
    with open(os.path.join(folder, 'x.txt'), 'w') as handle:
        handle.write('x')
with tempfile.NamedTemporaryFile() as handle:
    handle.write(b'x' * 1000)
with multiprocessing.get_context('fork').Pool(2) as pool:
    assert pool.map(abs, [-1, -2]) == [1, 2]
lock = multiprocessing.Lock()   # a POSIX semaphore, in /dev/shm
with open('/dev/shm/ok', 'wb') as handle:
    handle.write(b'x')
"""

# Must fail in every graded notebook (the cell raises if any works).
REFUSED = """
import ctypes, errno, os, subprocess
breaches = []
for command in (['unshare', '-Urn', 'true'], ['unshare', '-U', 'true'], ['unshare', '-m', 'true']):
    if subprocess.run(command, capture_output=True).returncode == 0:
        breaches.append(' '.join(command))
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000
if libc.unshare(CLONE_NEWUSER) == 0:
    breaches.append('unshare(CLONE_NEWUSER)')
# Calls whose error, unfiltered, would not be EPERM (x86_64 numbers; elsewhere the status line says it).
if os.uname().machine == 'x86_64':
    for name, number in (('io_uring_setup', 425), ('perf_event_open', 298), ('keyctl', 250)):
        if libc.syscall(number, 0, 0, 0, 0, 0) != -1 or ctypes.get_errno() != errno.EPERM:
            breaches.append(name)
status = open('/proc/self/status').read()
if 'Seccomp:\\t2' not in status:
    breaches.append('no filter')
if breaches:
    raise RuntimeError(', '.join(breaches))
"""


def master():
    return nbformat.read(LAB_FILE, as_version=4)


def student():
    return make_student_copy(master(), repository_url(ROOT))


def with_cell(notebook, source):
    notebook.cells.append(nbformat.v4.new_code_cell(source))
    return notebook


def write_class(folder: Path, names) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        nbformat.write(with_cell(master(), ATTACKS[name]), folder / f"{name}.ipynb")
    nbformat.write(master(), folder / "solved.ipynb")
    nbformat.write(student(), folder / "untouched.ipynb")
    nbformat.write(with_cell(master(), WORKS), folder / "works.ipynb")
    nbformat.write(with_cell(master(), REFUSED), folder / "refused.ipynb")


def by_name(submissions):
    return {s.path.name: s for s in submissions}


def rows(submission):
    return {row.question: row for row in submission.rows}


def marks(submission):
    return [(row.question, row.score, row.max_score, row.feedback) for row in submission.rows]


def scores(submission):
    return [rows(submission)[q].score for q in "12345"]


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alone")
    nbformat.write(master(), folder / "solved.ipynb")
    nbformat.write(student(), folder / "untouched.ipynb")
    return by_name(grade([folder], folder / "grades.csv", progress=None, limits=LIMITS))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    write_class(folder, ATTACKS)
    started = time.monotonic()
    cpu = time.process_time()
    submissions = by_name(
        grade([folder], folder.parent / "grades.csv", progress=None, limits=LIMITS)
    )
    return {
        "subs": submissions,
        "wall": time.monotonic() - started,
        "cpu": time.process_time() - cpu,
    }


@pytest.fixture(scope="module")
def fallback(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fallback")
    write_class(folder, ["unlinked", "memfd", "named_bwrap", "folders", "sleeper", "threads"])
    return by_name(grade([folder], folder.parent / "grades.csv", progress=None, limits=FALLBACK))


LIMIT_ROWS = {
    "unlinked": "The notebook filled its 40 MB of files in /home/student and was stopped.",
    "deep_path": "The notebook filled its 40 MB of files in /tmp and was stopped.",
    "folders": "The notebook made more than 20000 files and folders and was stopped.",
    "memfd": "The notebook used more than 700 MB of memory (its files and shared memory included) and was stopped.",
    "named_bwrap": "The notebook started more than 20 processes and was stopped.",
    "threads": "The notebook started more than 160 processes and threads and was stopped.",
}


@pytest.mark.parametrize("name", sorted(LIMIT_ROWS))
def test_every_limit_holds_whatever_the_trick_and_says_so(graded, name):
    from osmcourse.grading.confine import available_groups

    if name in ("memfd", "threads") and not available_groups():
        pytest.skip("no control groups here: the fallback test covers this attack")
    submission = graded["subs"][f"{name}.ipynb"]
    assert submission.status == "limit reached", rows(submission)
    assert LIMIT_ROWS[name] in rows(submission)["run"].feedback
    assert scores(submission) == [1.0] * 5  # the answers computed before the attack count


def test_a_sleeping_notebook_is_stopped_by_its_idle_budget(graded):
    submission = graded["subs"]["sleeper.ipynb"]
    assert submission.status == "timed out"
    assert (
        "waited without computing (sleeping or blocked) beyond its wall-clock limit on waiting, 4 s"
        in rows(submission)["run"].feedback
    )
    assert scores(submission) == [1.0] * 5


def test_waiting_for_the_answers_is_charged_to_the_idle_budget_and_never_retried(
    tmp_path, monkeypatch
):
    from osmcourse.grading import grader

    notebook = with_cell(master(), SLOW_ANSWERS)
    for step in range(20):
        with_cell(notebook, f"step = {step}")
    nbformat.write(notebook, tmp_path / "slow_answers.ipynb")
    calls = []
    real = grader.grade_notebook

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(grader, "grade_notebook", counted)
    lab_alone = time.monotonic()
    [solved] = grade([LAB_FILE], tmp_path / "solved.csv", progress=None, limits=LIMITS)
    lab_alone = time.monotonic() - lab_alone
    calls.clear()
    started = time.monotonic()
    [submission] = grade([tmp_path], tmp_path / "grades.csv", progress=None, limits=LIMITS)
    wall = time.monotonic() - started
    assert submission.status == "timed out", rows(submission)
    assert (
        "waited without computing (sleeping or blocked) beyond its wall-clock limit on waiting, 4 s"
        in rows(submission)["run"].feedback
    )
    assert scores(submission) == [1.0] * 5  # the answers read before it count
    assert len(calls) == 1  # stopped for what it did: not graded again
    # Stopped within its idle budget plus a margin (20 requests of 3 s took a minute).
    assert wall < lab_alone + LIMITS.idle_seconds + 3 + 10, (wall, lab_alone)


def test_a_classmate_is_untouched_by_a_full_disk_next_door(graded, alone):
    assert graded["subs"]["filler.ipynb"].status == "limit reached"
    from osmcourse.grading.confine import PREFIX, available_groups

    for folder in available_groups().values():  # every sandbox's control groups are gone
        assert not list(folder.glob(f"{PREFIX}{os.getpid()}-*")), folder
    for name in ("solved.ipynb", "untouched.ipynb"):
        assert marks(graded["subs"][name]) == marks(alone[name]), name
        assert graded["subs"][name].status == "ok"


def test_tempfile_multiprocessing_and_shared_memory_work(graded):
    submission = graded["subs"]["works.ipynb"]
    assert submission.status == "ok" and "run" not in rows(submission), rows(submission)


def test_new_namespaces_and_needless_system_calls_are_refused(graded):
    submission = graded["subs"]["refused.ipynb"]
    assert "run" not in rows(submission), rows(submission)["run"].feedback


def test_the_grader_does_not_walk_a_flood_of_folders(tmp_path):
    """300,000 empty folders cost the grader 44 s of CPU to walk; now it never walks."""
    nbformat.write(with_cell(master(), ATTACKS["folders"]), tmp_path / "folders.ipynb")
    cpu = time.process_time()
    [submission] = grade([tmp_path], tmp_path / "grades.csv", progress=None, limits=LIMITS)
    assert time.process_time() - cpu < 15
    assert submission.status == "limit reached"


def test_without_control_groups_the_fallback_still_holds(fallback):
    for name in ("unlinked", "folders", "named_bwrap"):
        submission = fallback[f"{name}.ipynb"]
        assert (
            submission.status == "limit reached"
            and LIMIT_ROWS[name] in rows(submission)["run"].feedback
        )
    # Memory no process shows cannot be counted without a memory group: it is refused.
    memfd = fallback["memfd.ipynb"]
    assert "raised PermissionError" in rows(memfd)["run"].feedback
    # Threads past prlimit's process limit: a fixed limit text, not an error of the notebook's.
    threads = fallback["threads.ipynb"]
    assert threads.status == "limit reached", rows(threads)
    assert (
        "tried to start more than 160 processes and threads (raised RuntimeError)"
        in rows(threads)["run"].feedback
    )
    assert fallback["sleeper.ipynb"].status == "timed out"
    for name in ("works.ipynb", "refused.ipynb", "solved.ipynb"):
        assert "run" not in rows(fallback[name]), (name, rows(fallback[name]))


# --- Failures of the machine ------------------------------------------------------------------


def test_a_kernel_that_cannot_start_is_never_a_mark(tmp_path, monkeypatch):
    nbformat.write(master(), tmp_path / "solved.ipynb")
    monkeypatch.setattr(launch, "KERNEL_LAUNCHER", "import sys; sys.exit(3)")
    [submission] = grade([tmp_path], tmp_path / "grades.csv", progress=None, limits=LIMITS)
    assert submission.status == COULD_NOT_GRADE
    assert [(row.question, row.score, row.max_score) for row in submission.rows] == [("run", 0, 0)]
    assert (
        "Could not grade" in submission.rows[0].feedback
        and "grade it again" in submission.rows[0].feedback
    )


def test_a_host_that_cannot_prepare_a_kernel_is_retried_alone(tmp_path, monkeypatch):
    """The first attempt meets a full disk on the host; the retry, alone, grades it."""
    nbformat.write(master(), tmp_path / "solved.ipynb")
    real = kernel_client.Kernel.__init__
    attempts = []

    def full_disk_once(self, *args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError(28, "No space left on device")
        real(self, *args, **kwargs)

    monkeypatch.setattr(kernel_client.Kernel, "__init__", full_disk_once)
    [submission] = grade([tmp_path], tmp_path / "grades.csv", progress=None, limits=LIMITS)
    assert len(attempts) == 2
    assert submission.status == "ok" and scores(submission) == [1.0] * 5


def test_a_host_that_stays_full_gets_could_not_grade(tmp_path, monkeypatch):
    nbformat.write(master(), tmp_path / "solved.ipynb")

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kernel_client.Kernel, "__init__", full_disk)
    [submission] = grade([tmp_path], tmp_path / "grades.csv", progress=None, limits=LIMITS)
    assert submission.status == COULD_NOT_GRADE
    assert "No space left on device" in submission.rows[0].feedback
    assert all(row.max_score == 0 for row in submission.rows)
