"""Run one submitted notebook in a fresh kernel, limited; the only place that starts kernels."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from osmcourse.grading.answers import EXTRACT

OUTPUT_CAP_BYTES = 2_000_000  # per submission; the rest is dropped, the run goes on


class _CappedClient(NotebookClient):
    """An nbclient that keeps at most ``OUTPUT_CAP_BYTES`` of output per notebook."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_bytes = 0
        self.truncated = False

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        size = len(json.dumps(msg.get("content", {}), default=str))
        self.output_bytes += size
        if self.output_bytes > OUTPUT_CAP_BYTES:
            self.truncated = True
            return None
        return super().output(outs, msg, display_id, cell_index)


def run_notebook(notebook: nbformat.NotebookNode, names: list[str], timeout: float) -> tuple[dict, list[str]]:
    """Execute a copy of ``notebook`` in a fresh kernel; return answer values and problems."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="osm-grade-") as workdir:
        answers_path = Path(workdir) / "answers.json"
        run = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        run.cells = [cell for cell in notebook.cells if cell.get("cell_type") == "code"]
        for cell in run.cells:
            cell.outputs, cell.execution_count = [], None
        extract = EXTRACT + f"\n__osm_extract({names!r}, {str(answers_path)!r})\n"
        run.cells.append(nbformat.v4.new_code_cell(extract))

        cell_timeout = max(1, int(min(timeout / 2, 30)))
        client = _CappedClient(
            run, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
            interrupt_on_timeout=True, record_timing=False,
            # No command history database: nothing to keep, less start-up work per kernel.
            extra_arguments=["--HistoryManager.enabled=False"],
            error_on_timeout={"ename": "CellTimeout", "evalue": f"stopped after {cell_timeout} s", "traceback": []},
            resources={"metadata": {"path": workdir}},
        )
        killed = threading.Event()

        def kill_kernel() -> None:
            provisioner = getattr(client.km, "provisioner", None)
            pid = getattr(provisioner, "pid", None)
            if pid:
                killed.set()
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

        watchdog = threading.Timer(timeout, kill_kernel)
        watchdog.start()
        # Figures are not graded: the non-interactive backend skips drawing them to PNG.
        # Kernels run side by side, one per core: keep each one's maths to one thread.
        kernel_env = {**os.environ, "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                      "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            client.execute(env=kernel_env)
        except (DeadKernelError, CellTimeoutError, RuntimeError) as error:
            if killed.is_set():
                problems.append(f"The notebook was stopped after the {timeout:g} s limit; answers could not be read.")
            else:
                problems.append(f"The kernel stopped ({type(error).__name__}); answers could not be read.")
        except Exception as error:  # noqa: BLE001 - a broken notebook is a row, not a crash
            problems.append(f"The notebook could not be run ({type(error).__name__}).")
        finally:
            watchdog.cancel()

        for index, cell in enumerate(run.cells[:-1], start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    # A cell past its limit is interrupted: it ends in KeyboardInterrupt.
                    stopped = output.get("ename") in ("CellTimeout", "KeyboardInterrupt")
                    what = f"never finished (stopped after {cell_timeout} s)" if stopped else f"raised {output.get('ename')}"
                    problems.append(f"Code cell {index} {what}.")
                    break
        if client.truncated:
            problems.append(f"Output beyond {OUTPUT_CAP_BYTES // 1_000_000} MB was dropped.")
        try:
            answers = json.loads(answers_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            answers = {}
            if not problems:
                problems.append("The grader could not read the answers.")
    return (answers if isinstance(answers, dict) else {}), problems
