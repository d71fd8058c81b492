"""Memory failures are blamed on a submission only when its own group hit its own limit.

Simulated control groups (folders holding the kernel's event files, as cgroup v1 and v2 write
them) stand for a kernel's group: a kill while the group was under its limit is the machine's
(the host or a parent group ran out), and gives "could not grade", never a memory row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from osmcourse.grading.cell_runner import MACHINE_MEMORY, CellRunner, RunStopped
from osmcourse.grading.confine import Cgroup
from osmcourse.grading.grader import jobs_that_fit
from osmcourse.grading.limits import Limits


def v2_group(folder: Path, events: str, local: str | None = None) -> Cgroup:
    (folder / "cgroup.controllers").write_text("memory pids\n")
    (folder / "memory.events").write_text(events)
    if local is not None:
        (folder / "memory.events.local").write_text(local)
    return Cgroup({"memory": folder, "pids": folder})


def v1_group(folder: Path, failcnt: int, kills: int) -> Cgroup:
    (folder / "memory.failcnt").write_text(f"{failcnt}\n")
    (folder / "memory.oom_control").write_text(
        f"oom_kill_disable 0\nunder_oom 0\noom_kill {kills}\n"
    )
    return Cgroup({"memory": folder, "pids": folder})


EVENTS = "low 0\nhigh 0\nmax {max}\noom {oom}\noom_kill {kill}\n"


def test_a_kill_at_the_groups_own_limit_is_the_submissions(tmp_path):
    group = v2_group(tmp_path, EVENTS.format(max=12, oom=1, kill=1))
    assert (group.oom_kills(), group.machine_oom_kills()) == (1, 0)
    (tmp_path / "v1").mkdir()
    group = v1_group(tmp_path / "v1", failcnt=40, kills=1)
    assert (group.oom_kills(), group.machine_oom_kills()) == (1, 0)


def test_a_kill_under_the_groups_own_limit_is_the_machines(tmp_path):
    group = v2_group(tmp_path, EVENTS.format(max=0, oom=0, kill=1))
    assert (group.oom_kills(), group.machine_oom_kills()) == (0, 1)
    (tmp_path / "v1").mkdir()
    group = v1_group(tmp_path / "v1", failcnt=0, kills=1)  # v1 cannot tell: the submission's
    assert (group.oom_kills(), group.machine_oom_kills()) == (1, 0)


def test_the_local_events_are_read_where_the_kernel_has_them(tmp_path):
    # memory.events counts a child's hits too; memory.events.local only this group's.
    group = v2_group(
        tmp_path, EVENTS.format(max=5, oom=1, kill=1), local=EVENTS.format(max=0, oom=0, kill=1)
    )
    assert (group.oom_kills(), group.machine_oom_kills()) == (0, 1)


class FakeKernel:
    """What check_limits reads of a kernel: a dead one, in a simulated group."""

    isolated = True
    oversized = 0
    started = float("inf")

    def __init__(self, cgroup: Cgroup) -> None:
        self.cgroup = cgroup

    def alive(self) -> bool:
        return False

    def space(self) -> list:
        return []


@pytest.mark.parametrize(
    ("events", "kind", "note"),
    [
        (EVENTS.format(max=0, oom=0, kill=1), "machine", MACHINE_MEMORY),
        (
            EVENTS.format(max=3, oom=1, kill=1),
            "limit",
            "The notebook used more than 2 GB of memory (its files and shared memory included) "
            "and was stopped.",
        ),
        (
            EVENTS.format(max=0, oom=0, kill=0),
            "dead",
            "The kernel stopped (it crashed or was ended from inside).",
        ),
    ],
)
def test_a_dead_kernel_is_blamed_by_its_groups_own_events(tmp_path, events, kind, note):
    runner = CellRunner(FakeKernel(v2_group(tmp_path, events)), Limits(), ["x"])
    with pytest.raises(RunStopped) as stopped:
        runner.check_limits(0.0, 0.0, "")
    assert (stopped.value.kind, stopped.value.note) == (kind, note)


def test_jobs_are_lowered_to_what_the_memory_holds():
    assert jobs_that_fit(3, 2_000_000_000, 23_000_000_000) == 3
    assert jobs_that_fit(3, 2_000_000_000, 4_500_000_000) == 2
    assert jobs_that_fit(3, 2_000_000_000, 1_000_000_000) == 1
