"""Limits the Linux kernel enforces on a sandbox: control groups and a system-call filter.

Two mechanisms, used by :mod:`.launch` for every graded kernel:

* **Control groups** (:class:`Cgroup`), where the system offers them to the grader: a
  ``memory`` group whose limit counts *everything* the sandbox holds in memory (its
  processes' pages, its files — they live in tmpfs, that is in memory — shared memory,
  ``memfd`` files, kernel memory such as folders' inodes), and a ``pids`` group that counts
  every process and thread by number, whatever it is called. Both are created as children of
  the grader's own groups (cgroup v1, or v2 where the controllers are delegated), so they
  never take a kernel out of limits set on the grader. Without them (an ordinary user on a
  system that delegates none) the sandbox falls back to what it can enforce without them
  (see :func:`seccomp_program`, and :mod:`.cell_runner`'s docstring).
* **A system-call filter** (:func:`seccomp_program`): a seccomp BPF program, built by the
  system's libseccomp (``libseccomp2``, the library Debian, systemd and the container tools
  use) through a few ``ctypes`` calls, and loaded by bubblewrap (``--seccomp FD``) just before
  the kernel starts. It refuses what a notebook never needs: new namespaces (so
  ``unshare -Urn`` fails inside the sandbox even when the grader runs as root), mounts,
  tracing, kernel keyrings, BPF, ``io_uring``, module and clock changes... and, where no
  memory group counts them, ``memfd_create`` and System V shared memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import signal
import threading
import time
from pathlib import Path

# --- Control groups ---------------------------------------------------------------------------

CONTROLLERS = ("memory", "pids")
PREFIX = "osmcourse-grade-"


def _own_groups() -> dict[str, Path]:
    """For each controller, the folder of the grader's own group, where the system shows one."""
    mounts: dict[str, Path] = {}
    unified: Path | None = None
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return {}
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        if parts[2] == "cgroup":
            for option in parts[3].split(","):
                if option in CONTROLLERS:
                    mounts[option] = Path(parts[1])
        elif parts[2] == "cgroup2" and unified is None:
            unified = Path(parts[1])
    own: dict[str, Path] = {}
    try:
        memberships = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return {}
    v2_path: str | None = None
    for line in memberships:
        number, _, rest = line.partition(":")
        names, _, path = rest.partition(":")
        if number == "0" and names == "":
            v2_path = path
            continue
        for name in names.split(","):
            if name in mounts:
                own[name] = mounts[name] / path.lstrip("/")
    if unified is not None and v2_path is not None:
        folder = unified / v2_path.lstrip("/")
        try:
            delegated = (folder / "cgroup.subtree_control").read_text().split()
        except OSError:
            delegated = []
        for name in CONTROLLERS:
            if name not in own and name in delegated:
                own[name] = folder
    return own


_probe_lock = threading.Lock()
_probed: list[dict[str, Path]] = []
_counter = [0]


def available_groups() -> dict[str, Path]:
    """The grader's groups under which it may make children (probed once, by making one)."""
    with _probe_lock:
        if not _probed:
            usable = {}
            for name, folder in _own_groups().items():
                probe = folder / f"{PREFIX}probe-{os.getpid()}"
                try:
                    probe.mkdir()
                    probe.rmdir()
                except OSError:
                    continue
                usable[name] = folder
                _remove_stale(folder)
            _probed.append(usable)
        return _probed[0]


def _remove_stale(folder: Path) -> None:
    """Empty groups left by a grader that was killed (its pid is gone)."""
    for child in folder.glob(f"{PREFIX}*"):
        pid = child.name[len(PREFIX) :].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            try:
                child.rmdir()
            except OSError:
                pass


def _v1(folder: Path) -> bool:
    return not (folder / "cgroup.controllers").exists()


class Cgroup:
    """One sandbox's memory and pids groups; ``None`` from :meth:`create` where there are none.

    ``memory_bytes`` bounds everything the sandbox holds in memory, files and shared memory
    included (swap too: the limit covers memory plus swap, so nothing hides in swap);
    ``tasks`` bounds its processes and threads together.
    """

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders = folders

    @classmethod
    def create(cls, memory_bytes: int, tasks: int) -> "Cgroup | None":
        parents = available_groups()
        if set(parents) != set(CONTROLLERS):
            return None
        with _probe_lock:
            _counter[0] += 1
            name = f"{PREFIX}{os.getpid()}-{_counter[0]}"
        folders: dict[str, Path] = {}
        group = cls(folders)
        try:
            for controller in CONTROLLERS:
                folder = parents[controller] / name
                if folder not in folders.values():  # v2: one folder holds both
                    folder.mkdir()
                folders[controller] = folder
            memory, pids = folders["memory"], folders["pids"]
            if _v1(memory):
                (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
                swap = memory / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(memory_bytes))
            else:
                (memory / "memory.max").write_text(str(memory_bytes))
                if (memory / "memory.swap.max").exists():
                    (memory / "memory.swap.max").write_text("0")
            (pids / "pids.max").write_text(str(tasks))
        except OSError:
            group.remove()
            return None
        return group

    def join_command(self, command: list[str]) -> list[str]:
        """``command`` started inside the groups (the shell joins them, then becomes it)."""
        files = sorted({str(folder / "cgroup.procs") for folder in self.folders.values()})
        script = (
            "for f in "
            + " ".join(f'"${i + 1}"' for i in range(len(files)))
            + '; do echo $$ > "$f" || exit 125; done; shift '
            + str(len(files))
            + '; exec "$@"'
        )
        return ["/bin/sh", "-c", script, "sh", *files, *command]

    def _events(self, controller: str, filename: str, key: str) -> int:
        try:
            text = (self.folders[controller] / filename).read_text()
        except (OSError, KeyError):
            return 0
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key and parts[1].isdigit():
                return int(parts[1])
        return 0

    def _memory_events(self) -> tuple[int, int]:
        """(times the group reached its own limit, processes killed for lack of memory in it).

        cgroup v2: ``memory.events.local`` where the kernel has it (this group only), else
        ``memory.events``: ``max`` counts the times usage reached this group's own
        ``memory.max``; ``oom_kill`` counts kills in it, whoever ran out. cgroup v1:
        every kill in ``memory.oom_control``'s ``oom_kill`` counts as the group's own (its fail
        counters miss hits of the limit, memfd pages among them).
        """
        memory = self.folders["memory"]
        if _v1(memory):
            # v1's fail counters miss some hits of the limit (memfd pages): its kills stay the
            # submission's, as before; only v2 tells a machine's kill apart.
            kills = self._events("memory", "memory.oom_control", "oom_kill")
            return kills, kills
        events = (
            "memory.events.local" if (memory / "memory.events.local").exists() else "memory.events"
        )
        return self._events("memory", events, "max"), self._events("memory", events, "oom_kill")

    def oom_kills(self) -> int:
        """Processes killed because the group reached *its own* memory limit (the submission's
        doing); a kill while it was under its limit is :meth:`machine_oom_kills`."""
        hits, kills = self._memory_events()
        return kills if hits else 0

    def machine_oom_kills(self) -> int:
        """Processes killed for lack of memory while the group was under its own limit: the
        host, or a group above it, ran out (the machine's doing, never the submission's)."""
        hits, kills = self._memory_events()
        return 0 if hits else kills

    def refused_forks(self) -> int:
        """Processes or threads the kernel refused to start at the group's limit."""
        return self._events("pids", "pids.events", "max")

    def pids(self) -> list[int]:
        try:
            text = (self.folders["pids"] / "cgroup.procs").read_text()
        except (OSError, KeyError):
            return []
        return [int(line) for line in text.split() if line.isdigit()]

    def kill_all(self) -> None:
        """SIGKILL everything in the group (nothing in it can leave it) until it is empty."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        for folder in dict.fromkeys(reversed(list(self.folders.values()))):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)  # the last processes are still leaving


# --- The system-call filter -------------------------------------------------------------------

_ALLOW = 0x7FFF0000


def _errno_action(number: int) -> int:
    return 0x00050000 | (number & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


_MASKED_EQ = 7
# What a notebook never needs: each refused with EPERM, as if the kernel's user lacked the right.
REFUSED = (
    # namespaces and mounts: no new view of the system, no user namespace to gain root in
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "mount_setattr",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    # looking into or changing other processes and the kernel
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "syslog",
    "acct",
    "swapon",
    "swapoff",
    "reboot",
    "quotactl",
    "quotactl_fd",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "vhangup",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "uselib",
    "nfsservctl",
    "fanotify_init",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "memfd_secret",
)
# Memory no process's size shows: refused where no memory group counts it.
UNCOUNTED_MEMORY = ("memfd_create", "shmget", "shmat")
NAMESPACE_FLAGS = (
    0x00000080,
    0x00020000,
    0x02000000,
    0x04000000,
    0x08000000,
    0x10000000,
    0x20000000,
    0x40000000,
)  # CLONE_NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET

_filter_lock = threading.Lock()
_filters: dict[bool, bytes | str] = {}


def _libseccomp() -> ctypes.CDLL | None:
    for name in ("libseccomp.so.2", ctypes.util.find_library("seccomp")):
        if not name:
            continue
        try:
            return ctypes.CDLL(name, use_errno=True)
        except OSError:
            continue
    return None


def seccomp_program(memory_counted: bool) -> bytes | str:
    """The filter as a BPF program for ``bwrap --seccomp``, or why there is none (a str).

    ``memory_counted`` says a memory group counts shared memory; without one,
    :data:`UNCOUNTED_MEMORY` is refused too. Built once per grader process.
    """
    with _filter_lock:
        if memory_counted not in _filters:
            _filters[memory_counted] = _build(memory_counted)
        return _filters[memory_counted]


def _build(memory_counted: bool) -> bytes | str:
    lib = _libseccomp()
    if lib is None:
        return "libseccomp is not installed (Debian/Ubuntu: apt-get install libseccomp2)"
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    ctx = lib.seccomp_init(_ALLOW)
    if not ctx:
        return "libseccomp could not start a filter"
    try:

        def rule(action: int, name: str, *conditions: _ArgCmp) -> None:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:
                return  # a call this system's libseccomp does not know: the kernel lacks it too
            array = (_ArgCmp * len(conditions))(*conditions) if conditions else None
            if lib.seccomp_rule_add_array(ctx, action, number, len(conditions), array) != 0:
                raise OSError(f"libseccomp refused a rule for {name}")

        refused = REFUSED + (() if memory_counted else UNCOUNTED_MEMORY)
        for name in refused:
            rule(_errno_action(errno.EPERM), name)
        # clone3 passes its flags in memory a filter cannot read: "not implemented" makes the C
        # library fall back to clone, whose flags it can.
        rule(_errno_action(errno.ENOSYS), "clone3")
        for flag in NAMESPACE_FLAGS:
            rule(_errno_action(errno.EPERM), "clone", _ArgCmp(0, _MASKED_EQ, flag, flag))
        read, write = os.pipe()
        try:
            if lib.seccomp_export_bpf(ctx, write) != 0:
                return "libseccomp could not export the filter"
            os.close(write)
            write = -1
            chunks = []
            while chunk := os.read(read, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(read)
            if write >= 0:
                os.close(write)
    except OSError as error:
        return str(error)
    finally:
        lib.seccomp_release(ctx)


__all__ = ["Cgroup", "available_groups", "seccomp_program"]
