"""Run one submitted notebook in its own sandboxed kernel, limited: the grader's entry point.

The grader above (:mod:`.grader`) calls only this module: :func:`isolation_problem` (can
sandboxed kernels run here?), :class:`Limits` (what a submission may use) and
:func:`run_notebook`, which never raises and returns a :class:`RunResult`. Below it, lowest
first:

- :mod:`.confine`: the limits the Linux kernel enforces (control groups, a system-call filter);
- :mod:`.limits`: the numbers, :class:`Limits`;
- :mod:`.launch`: what starts a kernel (bubblewrap's command line, mounts, environment, uids);
- :mod:`.kernel_client`: the grader's side of a running kernel (messages, process accounting);
- :mod:`.cell_runner`: executing cells under the limits, idle budget included, and reading
  the answers after each.

A run that fails for a reason of the machine, never of the submission (its kernel could not
be prepared or did not start: nothing of the student's had run yet), is marked
:attr:`RunResult.machine_failure`; the grader retries it alone and otherwise reports
:data:`.rows.COULD_NOT_GRADE`, never a mark.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from osmcourse.grading.cell_runner import MACHINE_MEMORY, CellRunner, RunStopped
from osmcourse.grading.kernel_client import Kernel
from osmcourse.grading.bubblewrap import allocate_uid, isolation_problem
from osmcourse.grading.limits import Limits, size_text


@dataclass
class RunResult:
    """What running one notebook produced."""

    answers: dict[str, Any]
    problems: list[str]
    executed: nbformat.NotebookNode
    limit_reached: bool = False
    backstop: bool = False  # stopped by the wall-clock backstop only: worth a retry alone
    cpu_stop: bool = False  # a cell (or the notebook) was stopped at its CPU-time limit
    idle_stop: bool = False  # stopped for waiting longer than its idle-time budget
    machine_failure: str | None = None  # not the student's doing: why it could not be graded
    cgroups: bool = False  # the kernel enforced memory and task limits with control groups
    isolated: bool = True
    cpu_seconds: float = 0.0  # the student's cells
    total_cpu_seconds: float = 0.0  # everything the kernel's processes used, start-up included
    wall_seconds: float = 0.0


def run_notebook(
    notebook: nbformat.NotebookNode,
    names: list[str] | dict[str, int],
    limits: Limits,
    isolate: bool = True,
    uid: int | None = None,
) -> RunResult:
    """Execute the code cells of a copy of ``notebook`` in a fresh kernel; never raises.

    ``isolate`` runs the kernel in the bubblewrap sandbox (callers check
    :func:`isolation_problem` first). ``uid`` is the uid the sandbox runs as (the grader must be
    root); ``None`` picks a fresh one when the grader is root.
    """
    if not isolate:
        uid = None  # unprotected anyway; and the Python installation may be readable by its owner only
    elif uid is None and os.geteuid() == 0:
        uid = allocate_uid()
    run = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    for cell in notebook.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            run.cells.append(nbformat.v4.new_code_cell(source if isinstance(source, str) else ""))
    problems: list[str] = []
    result = RunResult({}, problems, run, isolated=isolate)
    started = time.monotonic()
    workdir: Path | None = None
    kernel: Kernel | None = None
    runner: CellRunner | None = None
    try:
        try:
            # Sandboxed, nothing of the run is on the host's disk; unprotected, its folder is.
            if not isolate:
                workdir = Path(tempfile.mkdtemp(prefix="osm-grade-"))
                os.chmod(workdir, 0o700)
            kernel = Kernel(workdir, limits, isolate, uid)
        except OSError as error:
            raise RunStopped(
                f"The grader could not prepare a kernel ({type(error).__name__}: "
                f"{(error.strerror or str(error))[:120]}).",
                "machine",
            ) from None
        result.cgroups = kernel.cgroup is not None
        runner = CellRunner(kernel, limits, names)
        runner.start()
        for number, cell in enumerate(run.cells, start=1):
            cell.outputs = []
            stopped = runner.run_cell(cell.source, cell.outputs, number)
            cell.execution_count = number
            if stopped == "cpu":
                result.cpu_stop = True
                problems.append(
                    f"Code cell {number} never finished (stopped after {runner.cpu_limit_text()})."
                )
            else:
                error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
                if error is not None:
                    problems.append(_error_note(number, error, limits))
                    result.limit_reached |= _limit_note(error, limits) is not None
            runner.extract(number)
            if runner.notebook_cpu > limits.cpu_seconds:
                if number < len(run.cells):
                    problems.append(
                        f"The notebook used its {limits.cpu_seconds:g} s of CPU time; "
                        f"the cells after code cell {number} were not run."
                    )
                    result.cpu_stop = True
                break
        # A limit reached in the last moments, between two looks (a child killed for memory...).
        if kernel.cgroup is not None and kernel.cgroup.machine_oom_kills():
            raise RunStopped(MACHINE_MEMORY, "machine")
        if (note := runner.limit_note()) is not None:
            problems.append(note)
            result.limit_reached = True
    except RunStopped as stop:
        if stop.kind == "machine":
            result.machine_failure = stop.note
        problems.append(stop.note)
        result.limit_reached |= stop.kind == "limit"
        result.cpu_stop |= stop.kind == "cpu"
        result.idle_stop = stop.kind == "idle"
        result.backstop = stop.kind == "backstop"
    except Exception as error:  # noqa: BLE001 - whatever happens, one row, never a crash
        # The grader's own failure, not the student's: worth a retry, never a mark.
        result.machine_failure = f"The notebook could not be run ({type(error).__name__})."
        problems.append(result.machine_failure)
    finally:
        if runner is not None:
            result.answers = runner.answers
            result.cpu_seconds = runner.notebook_cpu
            if runner.truncated:
                problems.append(f"Output beyond {size_text(limits.output_bytes)} was dropped.")
        if kernel is not None:
            # Read here, while the processes are alive: a pid namespace's CPU time never
            # reaches the grader's own children's times.
            result.total_cpu_seconds = kernel.usage()[0]
            kernel.close()
        if workdir is not None:
            _remove(workdir)
    result.wall_seconds = time.monotonic() - started
    return result


def _limit_note(error: dict[str, Any], limits: Limits) -> str | None:
    """What limit a cell's error means it hit (the kernel's own rlimits raise these), if any."""
    ename, evalue = str(error.get("ename", "")), str(error.get("evalue", ""))
    if ename == "MemoryError":
        return f"used more than {size_text(limits.memory_bytes)} of memory"
    if "Resource temporarily unavailable" in evalue and ename in ("BlockingIOError", "OSError"):
        return f"tried to start more than {limits.processes} processes"
    if ename == "RuntimeError" and "can't start new thread" in evalue:
        # Without control groups, prlimit's process limit (8 per allowed process) refuses it.
        return f"tried to start more than {8 * limits.processes} processes and threads"
    if "File too large" in evalue:
        return f"wrote a file larger than {size_text(limits.file_bytes)}"
    return None


def _error_note(number: int, error: dict[str, Any], limits: Limits) -> str:
    limit = _limit_note(error, limits)
    if limit is not None:
        return f"Code cell {number} {limit} (raised {error.get('ename')})."
    return f"Code cell {number} raised {str(error.get('ename'))[:80]}."


def _remove(folder: Path) -> None:
    """Delete a run's folder; a leftover is never an error (every process in it is gone)."""
    for _ in range(3):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.1)


__all__ = ["Limits", "RunResult", "isolation_problem", "run_notebook"]
