"""Run one submitted notebook in its own sandboxed kernel, limited; the only place that starts kernels.

Isolation (Linux, :func:`isolation_problem` says whether it is available): the kernel runs
under bubblewrap (``bwrap``, Debian's ``bubblewrap`` package), a maintained sandbox tool, with
every namespace unshared (no network, its own process tree, no view of other processes,
other submissions, the grader, the output path or anyone's home). It sees, read-only, only
the system's ``/usr``, the Python installation, the course package and its texts. Nothing of
the host is writable to it: its only writable places are three size-limited tmpfs file
systems of its own (bubblewrap's ``--size``), mounted in its private mount namespace and gone
with it: its home and working folder (:attr:`Limits.disk_bytes`), a private ``/tmp`` (the same
size) and ``/dev/shm`` (:attr:`Limits.shm_bytes`), so ``tempfile`` and ``multiprocessing``
work. The kernel's own write fails with "No space left on device" at the quota, whatever the
file's name, path depth or link count (a file unlinked but kept open still holds its pages),
and a classmate's disk, or the host's, is never touched. The grader reads their use with
``statvfs`` (constant cost, however many files or folders). The grader talks to the kernel
over ZeroMQ on Unix sockets in its home, reached through ``/proc/PID/root``, so no network is
needed. The submission's file itself is never shown to it: its cells are sent one by one.

A system-call filter (:func:`.confine.seccomp_program`, loaded by ``bwrap --seccomp``)
refuses what a notebook never needs, new namespaces first: ``unshare -Urn`` fails inside.

When the grader runs as root each submission runs under its own unprivileged uid (a number
with no account, picked per submission), so the per-user process limit is the submission's
own, and it cannot touch anything another submission's uid owns. When the grader runs as an
ordinary user, bubblewrap maps that user into a fresh user namespace, and the per-user
process limit counts only the processes in that namespace (Linux 5.14 and later).

Limits (:class:`Limits`) the kernel enforces: where the system lets the grader make control
groups (:class:`.confine.Cgroup`: a root grader, or a delegated cgroup v2), a memory group
whose limit counts everything the sandbox holds in memory, its tmpfs files, shared memory and
``memfd`` files included, and a pids group that counts processes and threads whatever their
names. Without them (the documented fallback), the grader adds up the processes' resident
memory and the tmpfs use, the address space of each process is limited, and the filter also
refuses ``memfd_create`` and System V shared memory, the memory no process's size would show.
Also: file size, CPU time per cell and per notebook (measured on the sandbox's own processes,
so a busy machine does not change the verdict), time spent waiting per notebook (wall-clock
time not spent computing nor waiting for a processor: a ``sleep`` cannot hold a grading slot)
and a much larger wall-clock backstop. When a submission's run ends, its whole process tree
is killed: bubblewrap's pid namespace dies with it, and its control groups are emptied.

A run that fails for a reason of the machine, never of the submission (its kernel could not
be prepared or did not start: nothing of the student's had run yet), is marked
:attr:`RunResult.machine_failure`; the grader retries it alone and otherwise reports
:data:`.rows.COULD_NOT_GRADE`, never a mark.

Answers: after every student cell the grader asks the kernel, on the kernel's own reply
channel, for the answer variables (type-tagged, :mod:`osmcourse.grading.answers`), and keeps
the last good set. A later cell that never ends, or kills its kernel, cannot take back
answers already computed.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import psutil
import zmq
from jupyter_client.session import Session

from osmcourse.checks.core import MAX_ANSWER_ITEMS
from osmcourse.grading.answers import REPLY, REQUEST, bounded_json_loads, decode_answers
from osmcourse.grading.confine import Cgroup, seccomp_program

HOME_INSIDE = "/home/student"  # the private folder, as the kernel sees it
BWRAP = "bwrap"
PRLIMIT = "prlimit"
SETPRIV = "setpriv"
POLL_SECONDS = 0.05
# Each running submission gets its own uid (when the grader is root), from a range no
# ordinary account uses; the offset per grader process keeps two graders apart.
UID_BASE = 1_500_000_000


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds; sizes in bytes.

    ``cpu_seconds`` is the notebook's CPU budget (``--timeout``); ``cell_cpu_seconds`` one
    cell's. Both measure CPU time used by the sandbox's processes, never the wall clock.
    ``idle_seconds`` is the notebook's budget of waiting: wall-clock time in its cells spent
    neither computing nor waiting for a processor (a ``sleep``, a blocking read). ``wall_seconds``
    is only a backstop: a submission stopped by it is retried once, alone, before it gets a row.
    ``memory_bytes`` counts everything the sandbox holds in memory (its files live in memory
    too, so they count against it as well as against ``disk_bytes``); ``processes`` counts
    processes, and ``8 * processes`` bounds processes and threads together. ``disk_bytes`` is
    the size of its home and of its ``/tmp``, ``shm_bytes`` of its ``/dev/shm``, ``files`` the
    number of files and folders it may make. ``cgroups=False`` uses the fallback even where
    control groups are available (tests use it).
    """

    cpu_seconds: float = 60.0
    cell_cpu_seconds: float = 30.0
    idle_seconds: float = 30.0
    wall_seconds: float = 600.0
    cell_wall_seconds: float = 240.0
    startup_wall_seconds: float = 120.0
    memory_bytes: int = 2_000_000_000
    processes: int = 50
    file_bytes: int = 100_000_000
    disk_bytes: int = 500_000_000
    shm_bytes: int = 64_000_000
    files: int = 100_000
    output_bytes: int = 2_000_000
    interrupt_grace_cpu_seconds: float = 2.0
    cgroups: bool = True

    @classmethod
    def from_timeout(cls, timeout: float, **changes: Any) -> "Limits":
        """The limits for a ``--timeout`` (the notebook's CPU seconds)."""
        cell = max(1.0, min(timeout / 2, 30.0))
        wall = max(300.0, 6 * timeout)
        values: dict[str, Any] = {
            "cpu_seconds": float(timeout),
            "cell_cpu_seconds": cell,
            "wall_seconds": wall,
            "cell_wall_seconds": max(120.0, 8 * cell),
        }
        values.update(changes)
        return cls(**values)


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


def _size(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:g} GB"
    return f"{n / 1e6:g} MB"


# --- Is a sandbox available? --------------------------------------------------------------

_probe_lock = threading.Lock()
_probe_result: list[str | None] = []


def isolation_problem() -> str | None:
    """``None`` when sandboxed kernels can run here; otherwise why not (probed once)."""
    with _probe_lock:
        if not _probe_result:
            _probe_result.append(_probe())
        return _probe_result[0]


def _probe() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"no sandbox on {sys.platform} (bubblewrap needs Linux)"
    for tool, package in ((BWRAP, "bubblewrap"), (PRLIMIT, "util-linux")):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian/Ubuntu: apt-get install {package})"
    uid = _allocate_uid() if os.geteuid() == 0 else None
    if uid is not None and shutil.which(SETPRIV) is None:
        return f"`{SETPRIV}` is not installed (Debian/Ubuntu: apt-get install util-linux)"
    program = seccomp_program(False)
    if isinstance(program, str):
        return f"no system-call filter: {program}"
    read = _pipe_with(program)
    command = [
        *_bwrap_args({"/usr": "/usr"}, uid, Limits(), seccomp_fd=read),
        "--",
        *_drop_to(uid),
        "/bin/sh",
        "-c",
        "id -u",
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=60, pass_fds=(read,)
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"bubblewrap could not start ({error})"
    finally:
        os.close(read)
    expected = str(uid if uid is not None else os.getuid())
    if result.returncode != 0 or result.stdout.strip() != expected:
        return f"bubblewrap cannot make a sandbox here: {result.stderr.strip()[:200]}"
    return None


# --- Uids -----------------------------------------------------------------------------------

_uid_lock = threading.Lock()
_uid_next = [0]


def _allocate_uid() -> int:
    """A uid no process is using, for one submission (the grader is root)."""
    with _uid_lock:
        base = UID_BASE + (os.getpid() % 50_000) * 10_000
        while True:
            uid = base + _uid_next[0] % 10_000
            _uid_next[0] += 1
            if not _uid_in_use(uid):
                return uid


def _uid_in_use(uid: int) -> bool:
    for process in psutil.process_iter():
        try:
            if uid in process.uids():
                return True
        except psutil.Error:
            continue
    return False


# --- The sandbox's file system ----------------------------------------------------------------


def _course_paths() -> list[Path]:
    """Read-only paths the kernel needs: Python, the virtual environment, the course package."""
    import osmcourse
    from osmcourse import text

    paths = {
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        Path(osmcourse.__file__).resolve().parent,
        Path(text.SEEDS_DIR).resolve(),
    }
    # The interpreter the venv points at (a symlink into the base installation, usually).
    paths.add(Path(sys.executable).resolve().parent.parent)
    return sorted(p for p in paths if p.is_dir() and not str(p).startswith("/usr/"))


_ETC = ("ld.so.cache", "fonts", "localtime", "mime.types", "matplotlibrc")


def _bwrap_args(
    binds: dict[str, str],
    uid: int | None,
    limits: Limits,
    *,
    home: bool = False,
    files: dict[int, str] | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """bubblewrap's command line up to the ``--`` before the sandboxed command.

    ``binds`` maps read-only host paths to where the sandbox sees them. ``home`` gives the
    kernel its private home (a tmpfs of :attr:`Limits.disk_bytes`); ``files`` maps file
    descriptors the grader passes to read-only files bubblewrap copies into it. With ``uid``
    (the grader is root) bubblewrap runs as root, sets the sandbox up, and :func:`_drop_to`
    hands the kernel to ``uid`` with no capabilities left; without it (an ordinary user)
    bubblewrap makes a user namespace itself. ``seccomp_fd`` holds the system-call filter.
    """
    if uid is None:
        args = [BWRAP, "--unshare-all", "--unshare-user", "--disable-userns"]
    else:
        # No user namespace: uid numbers stay the host's, so the per-uid process limit holds.
        args = [
            BWRAP,
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]
    # Every writable place is a tmpfs of a fixed size, owned by nobody else: the kernel itself
    # refuses a write past it, whatever the file is called, where it is, or whether it is
    # still linked. World-writable (sticky) because only the kernel's uid is inside.
    args += [
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--perms",
        "1777",
        "--size",
        str(limits.disk_bytes),
        "--tmpfs",
        "/tmp",
        "--perms",
        "1777",
        "--size",
        str(limits.shm_bytes),
        "--tmpfs",
        "/dev/shm",
    ]
    made: set[str] = {"/", "/tmp", "/dev", "/proc"}
    targets = [*binds.values(), *([HOME_INSIDE] if home else [])]
    for target in targets:
        # bubblewrap would make missing parents private (0700): make them readable first.
        for parent in reversed(Path(target).parents):
            if str(parent) not in made:
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
    for top in ("bin", "lib", "lib32", "lib64", "sbin"):
        host = Path("/") / top
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), str(host)]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for source, target in binds.items():
        args += ["--ro-bind", source, target]
    if home:
        args += [
            "--perms",
            "1777",
            "--size",
            str(limits.disk_bytes),
            "--tmpfs",
            HOME_INSIDE,
            "--perms",
            "1777",
            "--dir",
            f"{HOME_INSIDE}/.matplotlib",
        ]
        for fd, target in (files or {}).items():
            args += ["--perms", "0644", "--file", str(fd), target]
        args += ["--chdir", HOME_INSIDE]
    # The sandbox's own root (bubblewrap's scaffolding, where /home, /etc... were made) is read-only.
    args += ["--remount-ro", "/"]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    if uid is not None:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return args


def _pipe_with(data: bytes) -> int:
    """A pipe's reading end that holds ``data`` (small: it must fit the pipe's buffer)."""
    read, write = os.pipe()
    try:
        os.write(write, data)
    finally:
        os.close(write)
    return read


def _userns_counts_nproc() -> bool:
    """Whether the per-user process limit counts per user namespace (Linux 5.14 and later)."""
    try:
        major, minor = (int(part) for part in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 14)


def _drop_to(uid: int | None) -> list[str]:
    """The command prefix that gives the sandbox to ``uid`` for good (nothing without one)."""
    if uid is None:
        return []
    return [
        SETPRIV,
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def _read_only_paths() -> dict[str, str]:
    paths = [
        "/usr",
        *(
            str(Path("/") / t)
            for t in ("bin", "lib", "lib32", "lib64", "sbin")
            if (Path("/") / t).is_dir() and not (Path("/") / t).is_symlink()
        ),
        *(str(p) for p in _course_paths()),
    ]
    return {path: path for path in paths}


def _hide_answer_keys() -> list[str]:
    """bubblewrap arguments that put an empty, read-only folder over the plain answer keys.

    --- answer key (see osmcourse.keys): the package is shown to the kernel read-only, all but
    this one folder, which only the grader's own process reads.
    """
    import osmcourse

    keys = Path(osmcourse.__file__).resolve().parent / "keys"
    return ["--tmpfs", str(keys), "--remount-ro", str(keys)] if keys.is_dir() else []


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


# --- Running -----------------------------------------------------------------------------------


class _Stop(Exception):
    """The run must end now: ``note`` says why (a row), ``kind`` how."""

    def __init__(self, note: str, kind: str) -> None:
        super().__init__(note)
        self.note = note
        self.kind = kind  # "limit", "cpu", "idle", "backstop", "dead", "machine"


# ipykernel's own launcher, without the debugger: nobody attaches one to a graded kernel, and
# importing debugpy costs each kernel about 0.07 s of CPU at start-up, charged to the student.
# --- answers channel (see osmcourse.grading.answers): the launcher installs the grader's answer
# request in the kernel before any student cell, so the notebook's namespace is never on its path.
KERNEL_LAUNCHER = (
    'import sys; sys.modules["debugpy"] = None; '
    "from ipykernel.kernelapp import IPKernelApp; app = IPKernelApp.instance(); app.initialize(); "
    "from osmcourse.grading.answers import install; install(app.kernel); app.start()"
)
# Messages the grader reads from one socket per poll: bounds what it holds at once.
RECEIVE_BATCH = 16
# Wall seconds the grader waits for the answers after a cell (they take milliseconds).
ANSWER_WAIT_SECONDS = 30.0


class _Kernel:
    """One kernel process (sandboxed or not) and the grader's sockets to it.

    Raises :class:`OSError` when the host cannot prepare it (the machine's fault).
    """

    def __init__(
        self, workdir: Path | None, limits: Limits, isolate: bool, uid: int | None
    ) -> None:
        self.limits = limits
        self.isolated = isolate
        self.closed = True
        self.cgroup: Cgroup | None = None
        self.context = zmq.Context()
        self.sockets: dict[str, zmq.Socket] = {}
        self.outer: set[int] = set()  # bubblewrap itself and its init: not the student's
        self.kernel_pid: int | None = None
        self.root: Path | None = None  # the sandbox's root, seen from the host
        key = secrets.token_hex(32)
        # Every frame from the kernel is size-capped by ZeroMQ, then parsed with bounded cost.
        self.session = Session(
            key=key.encode(),
            signature_scheme="hmac-sha256",
            username="grader",
            unpack=bounded_json_loads,
        )
        # Unprotected, the kernel lives in a host folder; sandboxed, in its own tmpfs.
        self.home = (workdir or Path("/nonexistent")) / "home"
        inside = HOME_INSIDE if isolate else str(self.home)
        connection = {
            "transport": "ipc",
            "ip": f"{inside}/k",
            "key": key,
            "signature_scheme": "hmac-sha256",
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "kernel_name": "python3",
        }
        cache = _matplotlib_cache()
        fonts = sorted(cache.glob("fontlist*.json")) if cache is not None else []
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
        fds: list[int] = []
        try:
            if isolate:
                if limits.cgroups:
                    self.cgroup = Cgroup.create(limits.memory_bytes, 8 * limits.processes)
                program = seccomp_program(self.cgroup is not None)
                if isinstance(program, str):
                    raise OSError(f"no system-call filter: {program}")
                files: dict[int, str] = {}
                fds.append(_pipe_with(json.dumps(connection).encode()))
                files[fds[-1]] = f"{HOME_INSIDE}/kernel.json"
                for item in fonts:
                    fds.append(os.open(item, os.O_RDONLY | os.O_CLOEXEC))
                    files[fds[-1]] = f"{HOME_INSIDE}/.matplotlib/{item.name}"
                fds.append(_pipe_with(program))
                command = _bwrap_args(
                    _read_only_paths(), uid, limits, home=True, files=files, seccomp_fd=fds[-1]
                )
                command += _hide_answer_keys()
                for name, value in _kernel_env(HOME_INSIDE).items():
                    command += ["--setenv", name, value]
                command += ["--", *_drop_to(uid), *limits_cmd, "--", *kernel]
                if self.cgroup is not None:
                    command = self.cgroup.join_command(command)
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
                cwd = "/"
            else:
                self.home.mkdir(mode=0o700)
                (self.home / ".matplotlib").mkdir(mode=0o700)
                for item in fonts:
                    shutil.copyfile(item, self.home / ".matplotlib" / item.name)
                (self.home / "kernel.json").write_text(json.dumps(connection), encoding="utf-8")
                command = [*limits_cmd, "--", *kernel]
                env = _kernel_env(str(self.home))
                cwd = str(self.home)
            self.process = subprocess.Popen(
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
            if self.cgroup is not None:
                self.cgroup.remove()
            self.context.term()
            raise
        finally:
            for fd in fds:
                os.close(fd)
        self.outer = {self.process.pid}
        self.started = time.monotonic()
        self.closed = False

    # -- watching the sandbox

    def processes(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def alive(self) -> bool:
        return self.process.poll() is None

    def usage(self) -> tuple[float, int, int]:
        """CPU seconds used, resident memory (bytes), processes running, in the sandbox.

        bubblewrap's two processes (the one the grader started and its init in the sandbox,
        known by their process ids, never by their names) are not counted as processes.
        """
        cpu, memory, count = 0.0, 0, 0
        processes = self.processes()
        if self.isolated and len(self.outer) == 1 and len(processes) > 1:
            try:
                # bubblewrap's init is the only child bubblewrap itself ever has.
                self.outer.update(child.pid for child in processes[0].children())
            except psutil.Error:
                pass
        for process in processes:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu += times.user + times.system + times.children_user + times.children_system
                    memory += process.memory_info().rss
            except psutil.Error:
                continue
            if process.pid not in self.outer:
                count += 1
        return cpu, memory, count

    def waiting_for_cpu(self) -> float:
        """Seconds the kernel's main thread has spent ready to run but waiting for a processor."""
        if self.kernel_pid is None:
            return 0.0
        try:
            with open(f"/proc/{self.kernel_pid}/schedstat", "rb") as handle:
                return int(handle.read().split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return 0.0

    def space(self) -> list[tuple[str, int, int, int]]:
        """Each writable tmpfs: (where, bytes used, bytes free, entries), by ``statvfs``."""
        if not self.isolated or self.root is None:
            return []
        found = []
        for where in (HOME_INSIDE, "/tmp", "/dev/shm"):
            try:
                info = os.statvfs(f"{self.root}{where}")
            except OSError:
                continue
            found.append(
                (
                    where,
                    (info.f_blocks - info.f_bfree) * info.f_frsize,
                    info.f_bavail * info.f_frsize,
                    info.f_files - info.f_ffree,
                )
            )
        return found

    def disk_used(self, cap_entries: int = 20_000) -> int:
        """Bytes of files in the unprotected kernel's host folder (walked: nothing else counts)."""
        total, seen = 0, 0
        for root, dirs, files in os.walk(self.home):
            for name in files:
                seen += 1
                if seen > cap_entries:
                    return total + 10**12  # a flood of files counts as too much
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass
        return total

    # -- messages

    def _sandbox_root(self) -> Path | None:
        """The kernel's root, once bubblewrap has set it up; learns the kernel's process id."""
        if not self.isolated:
            self.kernel_pid = self.process.pid  # prlimit runs the kernel in its own process
            return Path("/")
        try:
            init = psutil.Process(self.process.pid).children()
            kernels = init[0].children() if len(init) == 1 else []
        except psutil.Error:
            return None
        if len(kernels) != 1:
            return None
        root = Path(f"/proc/{kernels[0].pid}/root")
        try:
            inside, host = os.stat(root), os.stat("/")
        except OSError:
            return None
        if (inside.st_dev, inside.st_ino) == (host.st_dev, host.st_ino):
            return None  # not set up yet
        self.outer.add(init[0].pid)
        self.kernel_pid = kernels[0].pid
        return Path(f"/proc/{init[0].pid}/root")

    def connect(self) -> bool:
        """Connect to the kernel's sockets once it has made them all; False until then.

        Connected once, never again: ZeroMQ would otherwise reconnect by path after a
        disconnect, and the student's code could by then have put a link there. (No code of
        the student's has run yet when this connects.)
        """
        root = self._sandbox_root()
        if root is None:
            return False
        folder = f"{root}{HOME_INSIDE}" if self.isolated else str(self.home)
        ports = {"shell": (zmq.DEALER, 1), "iopub": (zmq.SUB, 2), "control": (zmq.DEALER, 4)}
        for _, port in ports.values():
            try:
                if not stat.S_ISSOCK(os.lstat(f"{folder}/k-{port}").st_mode):
                    return False
            except OSError:
                return False
        self.root = root if self.isolated else None
        for name, (kind, port) in ports.items():
            sock = self.context.socket(kind)
            sock.setsockopt(zmq.LINGER, 0)
            sock.setsockopt(zmq.RECONNECT_IVL, -1)
            # A kernel cannot make the grader hold more than this per message.
            sock.setsockopt(zmq.MAXMSGSIZE, 4 * self.limits.output_bytes + 1_000_000)
            # ...and cannot queue more than a few such messages in the grader (default: 1,000).
            sock.setsockopt(zmq.RCVHWM, 4 * RECEIVE_BATCH)
            if kind == zmq.SUB:
                sock.setsockopt(zmq.SUBSCRIBE, b"")
            sock.connect(f"ipc://{folder}/k-{port}")
            self.sockets[name] = sock
        return True

    def send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        msg = self.session.msg(msg_type, content)
        self.session.send(self.sockets[channel], msg)
        return msg["header"]["msg_id"]

    def receive(self, timeout: float) -> list[tuple[str, dict[str, Any]]]:
        if not self.sockets:
            time.sleep(timeout)
            return []
        poller = zmq.Poller()
        for name in ("shell", "iopub", "control"):
            poller.register(self.sockets[name], zmq.POLLIN)
        ready = dict(poller.poll(int(timeout * 1000)))
        messages = []
        for name in ("shell", "iopub", "control"):
            sock = self.sockets[name]
            if sock not in ready:
                continue
            for _ in range(RECEIVE_BATCH):
                try:
                    _, msg = self.session.recv(sock, mode=zmq.NOBLOCK)
                except zmq.ZMQError:
                    break
                except Exception:  # noqa: BLE001 - a malformed or forged message is dropped
                    continue
                if msg is None:
                    break
                messages.append((name, msg))
        return messages

    def kill(self) -> None:
        """End the sandbox and every process in it.

        The kernel and whatever it started go first, so bubblewrap's init reaps them (their
        CPU time then adds up to the grader's children, for the benchmark) and exits; a
        sandbox that is still there after that is killed whole. With a pid namespace nothing
        can survive its init; without isolation, a process that left the kernel's tree can.
        A control group is emptied last: nothing in it can leave it.
        """
        self.usage()  # learn bubblewrap's init, if that has not happened yet
        for process in self.processes():
            try:
                if process.pid not in self.outer:
                    process.kill()
            except psutil.Error:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            victims = self.processes()
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            for process in victims:
                try:
                    process.kill()
                except psutil.Error:
                    pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if self.cgroup is not None:
            self.cgroup.kill_all()
            self.cgroup.remove()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.kill()
        for sock in self.sockets.values():
            sock.close(linger=0)
        self.context.term()


class _Runner:
    """Runs a notebook's code cells in one kernel, enforcing the limits."""

    def __init__(self, kernel: _Kernel, limits: Limits, names: list[str] | dict[str, int]) -> None:
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
        if kernel.cgroup is not None:
            if kernel.cgroup.oom_kills():
                return (
                    f"The notebook used more than {_size(limits.memory_bytes)} of memory (its files and "
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
                return f"The notebook filled its {_size(size)} of files in {where} and was stopped."
            if entries > limits.files:
                return (
                    f"The notebook made more than {limits.files} files and folders and was stopped."
                )
        return None

    def check_limits(
        self, cpu_at_start: float, started: float, deadline_note: str
    ) -> tuple[float, float]:
        """Raise :class:`_Stop` when a limit is passed; return (cell CPU, notebook CPU)."""
        limits = self.limits
        note = self.limit_note()
        if note is not None:
            raise _Stop(note, "limit")
        if not self.kernel.alive():
            raise _Stop("The kernel stopped (it crashed or was ended from inside).", "dead")
        cpu, memory, count = self.kernel.usage()
        if self.kernel.cgroup is None:
            # The fallback: what the processes hold, plus their files (in memory, in tmpfs).
            memory += sum(used for _, used, _, _ in self.kernel.space())
            if memory > limits.memory_bytes:
                raise _Stop(
                    f"The notebook used more than {_size(limits.memory_bytes)} of memory and was stopped.",
                    "limit",
                )
        if count > limits.processes:
            raise _Stop(
                f"The notebook started more than {limits.processes} processes and was stopped.",
                "limit",
            )
        now = time.monotonic()
        if not self.kernel.isolated and now - self.last_disk_check > 1.0:
            self.last_disk_check = now
            if self.kernel.disk_used() > limits.disk_bytes:
                raise _Stop(
                    f"The notebook wrote more than {_size(limits.disk_bytes)} of files and was stopped.",
                    "limit",
                )
        if now - self.kernel.started > limits.wall_seconds:
            raise _Stop(
                f"The notebook did not finish within its {limits.wall_seconds:g} s wall-clock limit; "
                "answers from the cells it finished count.",
                "backstop",
            )
        if now - started > limits.cell_wall_seconds:
            raise _Stop(deadline_note, "backstop")
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
                raise _Stop("The kernel could not start.", "machine")
            if time.monotonic() - started > self.limits.startup_wall_seconds:
                raise _Stop("The kernel did not start in time.", "machine")
            if not self.kernel.sockets and not self.kernel.connect():
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
                if not replied:
                    queued = self.kernel.waiting_for_cpu() - queued_at_start
                    cell_idle = max(0.0, time.monotonic() - started - cell_cpu - queued)
                    if self.idle_seconds + cell_idle > limits.idle_seconds:
                        raise _Stop(
                            f"The notebook waited without computing (sleeping or blocked) beyond its "
                            f"wall-clock limit on waiting, {limits.idle_seconds:g} s: it was stopped in "
                            f"code cell {number}; answers from the cells before it count.",
                            "idle",
                        )
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
                    raise _Stop(
                        f"Code cell {number} never finished and ignored the interrupt: it was stopped after "
                        f"{self._cpu_limit_text()}; answers from the cells before it count.",
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

    def _cpu_limit_text(self) -> str:
        if getattr(self, "stopped_for", "cell") == "notebook":
            return f"the notebook's {self.limits.cpu_seconds:g} s of CPU time"
        return f"{self.limits.cell_cpu_seconds:g} s of CPU time"

    def _output(self, msg: dict[str, Any], outputs: list[dict[str, Any]]) -> None:
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

    def extract(self) -> None:
        """Ask the kernel for the answer variables; keep them if the reply comes.

        The request is the grader's own shell message, answered by the handler the launcher
        installed (:func:`osmcourse.grading.answers.install`); it carries each task's limit
        on values, and the reply is decoded with those limits (never evaluated).
        """
        caps = dict(self.names)
        msg_id = self.kernel.send("shell", REQUEST, {"names": caps})
        cpu_at_start = self.kernel.usage()[0]
        started = time.monotonic()
        note = (
            "The grader's request for the answers was never answered; answers read before it count."
        )
        while True:
            # An honest kernel answers at once; a reply the grader refused to parse never arrives.
            if time.monotonic() - started > ANSWER_WAIT_SECONDS:
                raise _Stop(note, "backstop")
            for channel, msg in self.kernel.receive(POLL_SECONDS * 2):
                if channel != "shell" or msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg.get("msg_type") != REPLY:
                    continue
                text = (
                    msg["content"].get("answers") if isinstance(msg.get("content"), dict) else None
                )
                if isinstance(text, str):
                    self.answers = decode_answers(text, caps)
                return
            cell_cpu, _ = self.check_limits(cpu_at_start, started, note)
            if cell_cpu > self.limits.cell_cpu_seconds:
                raise _Stop(note, "limit")


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
        uid = _allocate_uid()
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
    kernel: _Kernel | None = None
    runner: _Runner | None = None
    try:
        try:
            # Sandboxed, nothing of the run is on the host's disk; unprotected, its folder is.
            if not isolate:
                workdir = Path(tempfile.mkdtemp(prefix="osm-grade-"))
                os.chmod(workdir, 0o700)
            kernel = _Kernel(workdir, limits, isolate, uid)
        except OSError as error:
            raise _Stop(
                f"The grader could not prepare a kernel ({type(error).__name__}: "
                f"{(error.strerror or str(error))[:120]}).",
                "machine",
            ) from None
        result.cgroups = kernel.cgroup is not None
        runner = _Runner(kernel, limits, names)
        runner.start()
        for number, cell in enumerate(run.cells, start=1):
            cell.outputs = []
            stopped = runner.run_cell(cell.source, cell.outputs, number)
            cell.execution_count = number
            if stopped == "cpu":
                result.cpu_stop = True
                problems.append(
                    f"Code cell {number} never finished (stopped after {runner._cpu_limit_text()})."
                )
            else:
                error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
                if error is not None:
                    problems.append(_error_note(number, error, limits))
                    result.limit_reached |= _limit_note(error, limits) is not None
            runner.extract()
            if runner.notebook_cpu > limits.cpu_seconds:
                if number < len(run.cells):
                    problems.append(
                        f"The notebook used its {limits.cpu_seconds:g} s of CPU time; "
                        f"the cells after code cell {number} were not run."
                    )
                    result.cpu_stop = True
                break
        # A limit reached in the last moments, between two looks (a child killed for memory...).
        if (note := runner.limit_note()) is not None:
            problems.append(note)
            result.limit_reached = True
    except _Stop as stop:
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
                problems.append(f"Output beyond {_size(limits.output_bytes)} was dropped.")
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
        return f"used more than {_size(limits.memory_bytes)} of memory"
    if "Resource temporarily unavailable" in evalue and ename in ("BlockingIOError", "OSError"):
        return f"tried to start more than {limits.processes} processes"
    if "File too large" in evalue:
        return f"wrote a file larger than {_size(limits.file_bytes)}"
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
