"""The sandbox bubblewrap makes for a graded kernel: is one available, its command line, mounts, uid.

Isolation (Linux, :func:`isolation_problem` says whether it is available): the kernel runs
under bubblewrap (``bwrap``, Debian's ``bubblewrap`` package), a maintained sandbox tool, with
every namespace unshared (no network, its own process tree, no view of other processes,
other submissions, the grader, the output path or anyone's home). It sees, read-only, only
the system's ``/usr``, the Python installation, the course package and its texts (the plain
answer keys hidden). Nothing of the host is writable to it: its only writable places
(:data:`WRITABLE_PLACES`) are three size-limited tmpfs file systems of its own (bubblewrap's
``--size``), mounted in its private mount namespace and gone with it: its home and working
folder (:attr:`.Limits.disk_bytes`), a private ``/tmp`` (the same size) and ``/dev/shm``
(:attr:`.Limits.shm_bytes`), so ``tempfile`` and ``multiprocessing`` work. The kernel's own
write fails with "No space left on device" at the quota, whatever the file's name, path depth
or link count (a file unlinked but kept open still holds its pages), and a classmate's disk,
or the host's, is never touched. The grader talks to the kernel over ZeroMQ on Unix sockets
in its home (:mod:`.kernel_client`), so no network is needed. The submission's file itself is
never shown to it: its cells are sent one by one.

A system-call filter (:func:`.confine.seccomp_program`, loaded by ``bwrap --seccomp``)
refuses what a notebook never needs, new namespaces first: ``unshare -Urn`` fails inside.

When the grader runs as root each submission runs under its own unprivileged uid (a number
with no account, :func:`allocate_uid`), so the per-user process limit is the submission's
own, and it cannot touch anything another submission's uid owns. When the grader runs as an
ordinary user, bubblewrap maps that user into a fresh user namespace, and the per-user
process limit counts only the processes in that namespace (Linux 5.14 and later).

What runs inside, and how it starts, is :mod:`.launch`'s business.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import psutil

from osmcourse.grading.confine import seccomp_program
from osmcourse.grading.limits import Limits

HOME_INSIDE = "/home/student"  # the private folder, as the kernel sees it
# Every place the kernel may write: a tmpfs each, of a fixed size (see bwrap_args).
WRITABLE_PLACES = (HOME_INSIDE, "/tmp", "/dev/shm")
BWRAP = "bwrap"
PRLIMIT = "prlimit"
SETPRIV = "setpriv"
# Each running submission gets its own uid (when the grader is root), from a range no
# ordinary account uses; the offset per grader process keeps two graders apart.
UID_BASE = 1_500_000_000

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
    uid = allocate_uid() if os.geteuid() == 0 else None
    if uid is not None and shutil.which(SETPRIV) is None:
        return f"`{SETPRIV}` is not installed (Debian/Ubuntu: apt-get install util-linux)"
    program = seccomp_program(False)
    if isinstance(program, str):
        return f"no system-call filter: {program}"
    read = pipe_with(program)
    command = [
        *bwrap_args({"/usr": "/usr"}, uid, Limits(), seccomp_fd=read),
        "--",
        *drop_to(uid),
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


def allocate_uid() -> int:
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


def bwrap_args(
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
    (the grader is root) bubblewrap runs as root, sets the sandbox up, and :func:`drop_to`
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


def pipe_with(data: bytes) -> int:
    """A pipe's reading end that holds ``data`` (small: it must fit the pipe's buffer)."""
    read, write = os.pipe()
    try:
        os.write(write, data)
    finally:
        os.close(write)
    return read


def drop_to(uid: int | None) -> list[str]:
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


def read_only_paths() -> dict[str, str]:
    """The host paths the kernel sees read-only, each where it is on the host."""
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


def hide_answer_keys() -> list[str]:
    """bubblewrap arguments that put an empty, read-only folder over the plain answer keys.

    --- answer key (see osmcourse.keys): the package is shown to the kernel read-only, all but
    this one folder, which only the grader's own process reads.
    """
    import osmcourse

    keys = Path(osmcourse.__file__).resolve().parent / "keys"
    return ["--tmpfs", str(keys), "--remount-ro", str(keys)] if keys.is_dir() else []


__all__ = [
    "BWRAP",
    "HOME_INSIDE",
    "PRLIMIT",
    "SETPRIV",
    "UID_BASE",
    "WRITABLE_PLACES",
    "allocate_uid",
    "bwrap_args",
    "drop_to",
    "hide_answer_keys",
    "isolation_problem",
    "pipe_with",
    "read_only_paths",
]
