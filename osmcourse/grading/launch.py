"""What starts a graded kernel: its command line, its environment, its files; nothing else does.

:func:`launch_kernel` starts ipykernel (:data:`KERNEL_LAUNCHER`, with the grader's answers
request installed before any student cell) under ``prlimit`` (file size, address space, CPU
time, processes), inside the bubblewrap sandbox (:mod:`.bubblewrap`) with its system-call
filter and, where the system lets the grader make them, in its control groups
(:class:`.confine.Cgroup`). The kernel's environment is its whole environment
(:data:`KERNEL_SETTINGS` and a few fixed names): nothing of the grader's leaks in. Without
isolation (``--no-isolation``) the same kernel runs under ``prlimit`` in a host folder.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osmcourse.grading.bubblewrap import (
    HOME_INSIDE,
    PRLIMIT,
    bwrap_args,
    drop_to,
    hide_answer_keys,
    pipe_with,
    read_only_paths,
)
from osmcourse.grading.confine import Cgroup, seccomp_program
from osmcourse.grading.limits import Limits


def _userns_counts_nproc() -> bool:
    """Whether the per-user process limit counts per user namespace (Linux 5.14 and later)."""
    try:
        major, minor = (int(part) for part in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 14)


# How every graded kernel runs, wherever it lives (the benchmark runs its labs this way too).
KERNEL_SETTINGS = {
    # Figures are not graded: the non-interactive backend skips drawing them to PNG.
    "MPLBACKEND": "agg",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    # Kernels run side by side: keep each one's maths to one thread.
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def _kernel_env(home: str) -> dict[str, str]:
    """The kernel's whole environment (nothing of the grader's leaks in)."""
    return {
        "HOME": home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "PATH": f"{Path(sys.prefix)}/bin:/usr/local/bin:/usr/bin:/bin",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        **KERNEL_SETTINGS,
        # The same hashing every run, so set order (and so output) does not vary.
        "PYTHONHASHSEED": "0",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


_font_cache_lock = threading.Lock()
_font_cache: list[Path | None] = []


def _matplotlib_cache() -> Path | None:
    """Matplotlib's font list, built once per grader process, copied into each private folder.

    Without it every kernel would rebuild the list (seconds of CPU, charged to the student).
    """
    with _font_cache_lock:
        if not _font_cache:
            folder = Path(tempfile.mkdtemp(prefix="osm-mpl-"))
            try:
                subprocess.run(
                    [sys.executable, "-c", "import matplotlib.font_manager"],
                    timeout=300,
                    env={**os.environ, "MPLCONFIGDIR": str(folder), "MPLBACKEND": "agg"},
                    capture_output=True,
                    check=True,
                )
                _font_cache.append(folder)
                atexit.register(shutil.rmtree, folder, True)
            except (OSError, subprocess.SubprocessError):
                shutil.rmtree(folder, ignore_errors=True)
                _font_cache.append(None)
        return _font_cache[0]


# --- Starting the kernel ---------------------------------------------------------------------

# ipykernel's own launcher, without the debugger: nobody attaches one to a graded kernel, and
# importing debugpy costs each kernel about 0.07 s of CPU at start-up, charged to the student.
# --- answers channel (see osmcourse.grading.answers): the launcher installs the grader's answer
# request in the kernel before any student cell, so the notebook's namespace is never on its path.
KERNEL_LAUNCHER = (
    'import sys; sys.modules["debugpy"] = None; '
    "from ipykernel.kernelapp import IPKernelApp; app = IPKernelApp.instance(); app.initialize(); "
    "from osmcourse.grading.answers import install; install(app.kernel); app.start()"
)


@dataclass
class LaunchedKernel:
    """A kernel process just started, and the control groups it runs in (``None``: none)."""

    process: subprocess.Popen[bytes]
    cgroup: Cgroup | None


def connection_folder(isolate: bool, home: Path) -> str:
    """Where the kernel makes its sockets and reads its connection file, as it sees the folder.

    Sandboxed, its private tmpfs home; unprotected, ``home``, a folder on the host.
    """
    return HOME_INSIDE if isolate else str(home)


def launch_kernel(
    connection: dict[str, Any], home: Path, limits: Limits, isolate: bool, uid: int | None
) -> LaunchedKernel:
    """Start one kernel with the ``connection`` file it is to serve; its process and groups.

    ``isolate`` starts it under bubblewrap (its files are handed in through pipes and file
    descriptors: nothing of the run is on the host's disk); otherwise in ``home``, a host
    folder this makes (its parent must exist). ``uid`` is the uid the sandbox runs as (the
    grader is root). Raises :class:`OSError` when the host cannot prepare it (the machine's
    fault); control groups made for it are removed then.
    """
    cache = _matplotlib_cache()
    fonts = sorted(cache.glob("fontlist*.json")) if cache is not None else []
    inside = connection_folder(isolate, home)
    kernel = [
        sys.executable,
        "-c",
        KERNEL_LAUNCHER,
        "-f",
        f"{inside}/kernel.json",
        "--HistoryManager.enabled=False",
        "--IPKernelApp.log_level=CRITICAL",
    ]
    limits_cmd = [
        PRLIMIT,
        f"--as={limits.memory_bytes + 2_000_000_000}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
        "--nofile=1024",
        f"--cpu={int(limits.cpu_seconds + 4 * limits.interrupt_grace_cpu_seconds + 30)}",
    ]
    if uid is not None or (isolate and _userns_counts_nproc()):
        # Per uid (root: the submission's own uid) or per user namespace: only the
        # sandbox's processes. Counts threads too: a kernel has about ten.
        limits_cmd.append(f"--nproc={8 * limits.processes}")
    cgroup: Cgroup | None = None
    fds: list[int] = []
    try:
        if isolate:
            if limits.cgroups:
                cgroup = Cgroup.create(limits.memory_bytes, 8 * limits.processes)
            program = seccomp_program(cgroup is not None)
            if isinstance(program, str):
                raise OSError(f"no system-call filter: {program}")
            files: dict[int, str] = {}
            fds.append(pipe_with(json.dumps(connection).encode()))
            files[fds[-1]] = f"{HOME_INSIDE}/kernel.json"
            for item in fonts:
                fds.append(os.open(item, os.O_RDONLY | os.O_CLOEXEC))
                files[fds[-1]] = f"{HOME_INSIDE}/.matplotlib/{item.name}"
            fds.append(pipe_with(program))
            command = bwrap_args(
                read_only_paths(), uid, limits, home=True, files=files, seccomp_fd=fds[-1]
            )
            command += hide_answer_keys()
            for name, value in _kernel_env(HOME_INSIDE).items():
                command += ["--setenv", name, value]
            command += ["--", *drop_to(uid), *limits_cmd, "--", *kernel]
            if cgroup is not None:
                command = cgroup.join_command(command)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
            cwd = "/"
        else:
            home.mkdir(mode=0o700)
            (home / ".matplotlib").mkdir(mode=0o700)
            for item in fonts:
                shutil.copyfile(item, home / ".matplotlib" / item.name)
            (home / "kernel.json").write_text(json.dumps(connection), encoding="utf-8")
            command = [*limits_cmd, "--", *kernel]
            env = _kernel_env(str(home))
            cwd = str(home)
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,
            pass_fds=fds,
        )
    except BaseException:
        if cgroup is not None:
            cgroup.remove()
        raise
    finally:
        for fd in fds:
            os.close(fd)
    return LaunchedKernel(process, cgroup)


__all__ = [
    "KERNEL_LAUNCHER",
    "KERNEL_SETTINGS",
    "LaunchedKernel",
    "connection_folder",
    "launch_kernel",
]
