"""Executing a notebook's cells, one at a time, in one kernel and under the limits.

:class:`CellRunner` sends each cell to the kernel (:class:`.kernel_client.Kernel`), collects
its outputs (at most :attr:`.Limits.output_bytes` in all) and, while it runs, looks at what
the sandbox uses. First the limits the Linux kernel enforced: where the system lets the
grader make control groups (:class:`.confine.Cgroup`: a root grader, or a delegated cgroup
v2), a memory group whose limit counts everything the sandbox holds in memory, its tmpfs
files, shared memory and ``memfd`` files included, and a pids group that counts processes and
threads whatever their names; and the tmpfs quotas. Without control groups (the documented
fallback), the grader adds up the processes' resident memory and the tmpfs use (each
process's address space is limited too, and the system-call filter refuses ``memfd_create``
and System V shared memory, the memory no process's size would show: :mod:`.launch`). Then
those only the grader checks: the number of processes, CPU time per cell and per notebook
(measured on the sandbox's own processes, so a busy machine does not change the verdict; a
cell past its limit is interrupted, then stopped if it ignores the interrupt), time spent
waiting per notebook (wall-clock time not spent computing nor waiting for a processor: a
``sleep`` cannot hold a grading slot) and a much larger wall-clock backstop. A limit passed
raises :class:`RunStopped`, with the row's text and its kind.

Answers: after every student cell :meth:`CellRunner.extract` asks the kernel, on the
kernel's own reply channel, for the answer variables (type-tagged, :mod:`.answers`), and
keeps the last good set. That wait is charged like a cell's: its CPU time to the CPU limits,
its idle time to the idle budget (a notebook can replace the handler that answers). A later cell that never ends, or kills its kernel, cannot take back
answers already computed.
"""

from __future__ import annotations

import json
import time
from typing import Any

import nbformat

from osmcourse.checks.core import MAX_ANSWER_ITEMS
from osmcourse.grading.answers import REPLY, REQUEST, decode_answers
from osmcourse.grading.kernel_client import Kernel, message_bound
from osmcourse.grading.limits import Limits, size_text

POLL_SECONDS = 0.05
# A kernel killed for lack of memory under its own limit: the machine ran out, not the notebook.
MACHINE_MEMORY = (
    "The grading machine ran out of memory (the notebook was under its own limit) and its kernel "
    "was stopped."
)
# Wall seconds the grader waits for the answers after a cell (they take milliseconds).
ANSWER_WAIT_SECONDS = 30.0


class RunStopped(Exception):
    """The run must end now: ``note`` says why (a row), ``kind`` how."""

    def __init__(self, note: str, kind: str) -> None:
        super().__init__(note)
        self.note = note
        self.kind = kind  # "limit", "cpu", "idle", "backstop", "dead", "machine"


class CellRunner:
    """Runs a notebook's code cells in one kernel, enforcing the limits."""

    def __init__(self, kernel: Kernel, limits: Limits, names: list[str] | dict[str, int]) -> None:
        self.kernel = kernel
        self.limits = limits
        # Each answer variable and its task's limit on values (a list: the default limit).
        self.names = names if isinstance(names, dict) else dict.fromkeys(names, MAX_ANSWER_ITEMS)
        self.cpu_base = 0.0
        self.notebook_cpu = 0.0
        self.output_bytes = 0
        self.truncated = False
        self.answers: dict[str, Any] = {}
        self.last_disk_check = 0.0
        self.idle_seconds = 0.0  # the notebook's cells' time waiting, so far

    def limit_note(self) -> str | None:
        """The limit the kernel itself enforced and the sandbox reached, if any (a row's text)."""
        limits, kernel = self.limits, self.kernel
        if kernel.oversized:
            return (
                f"The notebook sent the grader a message larger than "
                f"{size_text(message_bound(limits))} and was stopped."
            )
        if kernel.cgroup is not None:
            if kernel.cgroup.oom_kills():
                return (
                    f"The notebook used more than {size_text(limits.memory_bytes)} of memory (its files and "
                    "shared memory included) and was stopped."
                )
            if kernel.cgroup.refused_forks():
                return (
                    f"The notebook started more than {8 * limits.processes} processes and threads "
                    "and was stopped."
                )
        for where, used, free, entries in kernel.space():
            size = limits.shm_bytes if where == "/dev/shm" else limits.disk_bytes
            if free < min(2**20, size // 20):
                return f"The notebook filled its {size_text(size)} of files in {where} and was stopped."
            if entries > limits.files:
                return (
                    f"The notebook made more than {limits.files} files and folders and was stopped."
                )
        return None

    def check_limits(
        self, cpu_at_start: float, started: float, deadline_note: str
    ) -> tuple[float, float]:
        """Raise :class:`RunStopped` when a limit is passed; return (cell CPU, notebook CPU)."""
        limits = self.limits
        if self.kernel.cgroup is not None and self.kernel.cgroup.machine_oom_kills():
            raise RunStopped(MACHINE_MEMORY, "machine")
        note = self.limit_note()
        if note is not None:
            raise RunStopped(note, "limit")
        if not self.kernel.alive():
            raise RunStopped("The kernel stopped (it crashed or was ended from inside).", "dead")
        cpu, memory, count = self.kernel.usage()
        if self.kernel.cgroup is None:
            # The fallback: what the processes hold, plus their files (in memory, in tmpfs).
            memory += sum(used for _, used, _, _ in self.kernel.space())
            if memory > limits.memory_bytes:
                raise RunStopped(
                    f"The notebook used more than {size_text(limits.memory_bytes)} of memory and was stopped.",
                    "limit",
                )
        if count > limits.processes:
            raise RunStopped(
                f"The notebook started more than {limits.processes} processes and was stopped.",
                "limit",
            )
        now = time.monotonic()
        if not self.kernel.isolated and now - self.last_disk_check > 1.0:
            self.last_disk_check = now
            if self.kernel.disk_used() > limits.disk_bytes:
                raise RunStopped(
                    f"The notebook wrote more than {size_text(limits.disk_bytes)} of files and was stopped.",
                    "limit",
                )
        if now - self.kernel.started > limits.wall_seconds:
            raise RunStopped(
                f"The notebook did not finish within its {limits.wall_seconds:g} s wall-clock limit; "
                "answers from the cells it finished count.",
                "backstop",
            )
        if now - started > limits.cell_wall_seconds:
            raise RunStopped(deadline_note, "backstop")
        return cpu - cpu_at_start, self.notebook_cpu + (cpu - cpu_at_start)

    def start(self) -> None:
        """Wait until the kernel answers on its shell and publishes on iopub.

        Nothing of the student's has run yet: a kernel that dies or never answers here is the
        machine's failure, never the submission's.
        """
        started = time.monotonic()
        last_request = 0.0
        shell_ok = iopub_ok = False
        while not (shell_ok and iopub_ok):
            if not self.kernel.alive():
                raise RunStopped("The kernel could not start.", "machine")
            if time.monotonic() - started > self.limits.startup_wall_seconds:
                raise RunStopped("The kernel did not start in time.", "machine")
            if self.kernel.connected and self.kernel.connection_lost():
                self.kernel.disconnect()  # nothing of the student's has run: connect again
                shell_ok = iopub_ok = False
            if not self.kernel.connected and not self.kernel.connect():
                time.sleep(0.1)
                continue
            if time.monotonic() - last_request > 0.5:
                self.kernel.send("shell", "kernel_info_request", {})
                last_request = time.monotonic()
            for channel, msg in self.kernel.receive(0.1):
                if channel == "shell" and msg["msg_type"] == "kernel_info_reply":
                    shell_ok = True
                elif channel == "iopub":
                    iopub_ok = True
        # Drain what is left of the start-up chatter.
        while self.kernel.receive(0.05):
            pass
        self.cpu_base = self.kernel.usage()[0]

    def run_cell(self, source: str, outputs: list[dict[str, Any]], number: int) -> str | None:
        """Run one cell; None when it finished, else "cpu" (stopped at its CPU limit).

        Its idle time (wall clock not spent computing, nor waiting for a processor) is added
        to the notebook's; past :attr:`Limits.idle_seconds` the run stops.
        """
        limits = self.limits
        msg_id = self.kernel.send(
            "shell",
            "execute_request",
            {
                "code": source,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": False,
            },
        )
        cpu_at_start = self.kernel.usage()[0]
        queued_at_start = self.kernel.waiting_for_cpu()
        started = time.monotonic()
        interrupted_at: float | None = None
        idle = replied = False
        cell_idle = 0.0
        note = (
            f"Code cell {number} did not finish within the {limits.cell_wall_seconds:g} s wall-clock limit "
            "(it waited instead of computing); answers from the cells before it count."
        )
        replied_at = 0.0
        try:
            # The reply ends the cell; its last outputs and "idle" follow on iopub, and a few
            # seconds is plenty to wait for them (a dropped oversized message must not hang us).
            while not (idle and replied) and not (replied and time.monotonic() - replied_at > 5):
                for channel, msg in self.kernel.receive(POLL_SECONDS * 2):
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    if channel == "shell" and msg["msg_type"] == "execute_reply":
                        replied, replied_at = True, time.monotonic()
                    elif channel == "iopub":
                        if (
                            msg["msg_type"] == "status"
                            and msg["content"].get("execution_state") == "idle"
                        ):
                            idle = True
                        else:
                            self._output(msg, outputs)
                cell_cpu, notebook_cpu = self.check_limits(cpu_at_start, started, note)
                # Every wait counts, the one after the reply too (a kernel that never says
                # "idle" holds the grader up to 5 s a cell).
                cell_idle = self._idle(started, cell_cpu, queued_at_start, number)
                over_cell = cell_cpu > limits.cell_cpu_seconds
                over_notebook = notebook_cpu > limits.cpu_seconds
                if (over_cell or over_notebook) and interrupted_at is None:
                    self.kernel.send("control", "interrupt_request", {})
                    interrupted_at = cell_cpu
                    self.stopped_for = "cell" if over_cell else "notebook"
                elif (
                    interrupted_at is not None
                    and cell_cpu > interrupted_at + limits.interrupt_grace_cpu_seconds
                ):
                    raise RunStopped(
                        f"Code cell {number} never finished and ignored the interrupt: it was stopped after "
                        f"{self.cpu_limit_text()}; answers from the cells before it count.",
                        "cpu",
                    )
        finally:
            self.notebook_cpu += (
                max(0.0, self.kernel.usage()[0] - cpu_at_start) if self.kernel.alive() else 0.0
            )
            self.idle_seconds += cell_idle
        if interrupted_at is not None:
            return "cpu"
        return None

    def _idle(self, started: float, cpu: float, queued_at_start: float, number: int) -> float:
        """The time waited since ``started`` (wall clock not spent computing, nor waiting for a
        processor); raise :class:`RunStopped` when the notebook's waits so far pass its budget."""
        queued = self.kernel.waiting_for_cpu() - queued_at_start
        idle = max(0.0, time.monotonic() - started - cpu - queued)
        if self.idle_seconds + idle > self.limits.idle_seconds:
            raise RunStopped(
                f"The notebook waited without computing (sleeping or blocked) beyond its "
                f"wall-clock limit on waiting, {self.limits.idle_seconds:g} s: it was stopped in "
                f"code cell {number}; answers from the cells before it count.",
                "idle",
            )
        return idle

    def cpu_limit_text(self) -> str:
        """The CPU limit a stopped cell reached, as a row says it (the cell's or the notebook's)."""
        if getattr(self, "stopped_for", "cell") == "notebook":
            return f"the notebook's {self.limits.cpu_seconds:g} s of CPU time"
        return f"{self.limits.cell_cpu_seconds:g} s of CPU time"

    def _output(self, msg: dict[str, Any], outputs: list[dict[str, Any]]) -> None:
        """Add an iopub message to a cell's ``outputs``; past the notebook's output limit, drop it."""
        kind = msg["msg_type"]
        if kind == "clear_output":
            outputs.clear()
            return
        if kind not in ("stream", "display_data", "execute_result", "error", "update_display_data"):
            return
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.output_bytes += size
        if self.output_bytes > self.limits.output_bytes:
            self.truncated = True
            return
        if kind == "update_display_data":
            return
        try:
            output = nbformat.v4.output_from_msg(msg)
        except Exception:  # noqa: BLE001 - a malformed message is dropped
            return
        if (
            output.get("output_type") == "stream"
            and outputs
            and outputs[-1].get("output_type") == "stream"
            and outputs[-1].get("name") == output.get("name")
        ):
            outputs[-1]["text"] += output["text"]
        else:
            outputs.append(output)

    def extract(self, number: int = 0) -> None:
        """Ask the kernel for the answer variables (after code cell ``number``); keep them if
        the reply comes.

        The request is the grader's own shell message, answered by the handler the launcher
        installed (:func:`osmcourse.grading.answers.install`); it carries each task's limit
        on values, and the reply is decoded with those limits (never evaluated). The wait is
        the notebook's like any other: its CPU time counts against the CPU limits and its
        idle time against the idle budget (a notebook that replaces the handler with one that
        sleeps is stopped by that budget).
        """
        caps = dict(self.names)
        msg_id = self.kernel.send("shell", REQUEST, {"names": caps})
        cpu_at_start = self.kernel.usage()[0]
        queued_at_start = self.kernel.waiting_for_cpu()
        started = time.monotonic()
        note = (
            "The grader's request for the answers was never answered; answers read before it count."
        )
        idle = 0.0
        try:
            while True:
                # An honest kernel answers at once; a reply the grader refused to parse never
                # arrives.
                if time.monotonic() - started > ANSWER_WAIT_SECONDS:
                    raise RunStopped(note, "backstop")
                for channel, msg in self.kernel.receive(POLL_SECONDS * 2):
                    if channel != "shell" or msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    if msg.get("msg_type") != REPLY:
                        continue
                    content = msg.get("content")
                    text = content.get("answers") if isinstance(content, dict) else None
                    if isinstance(text, str):
                        self.answers = decode_answers(text, caps)
                    # Charged, not judged, here: past the budget, the next cell stops at once.
                    cpu = self.kernel.usage()[0] - cpu_at_start
                    queued = self.kernel.waiting_for_cpu() - queued_at_start
                    idle = max(0.0, time.monotonic() - started - cpu - queued)
                    return
                cell_cpu, _ = self.check_limits(cpu_at_start, started, note)
                idle = self._idle(started, cell_cpu, queued_at_start, number)
                if cell_cpu > self.limits.cell_cpu_seconds:
                    raise RunStopped(note, "limit")
        finally:
            self.notebook_cpu += (
                max(0.0, self.kernel.usage()[0] - cpu_at_start) if self.kernel.alive() else 0.0
            )
            self.idle_seconds += idle


__all__ = ["ANSWER_WAIT_SECONDS", "MACHINE_MEMORY", "POLL_SECONDS", "CellRunner", "RunStopped"]
