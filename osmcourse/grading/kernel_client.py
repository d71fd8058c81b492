"""The grader's side of one running kernel: its messages, and what its processes use.

:class:`Kernel` starts a kernel (:func:`.launch.launch_kernel`), talks to it over ZeroMQ on
Unix sockets in its home (sandboxed: reached through ``/proc/PID/root``, so no network is
needed), every message signed, read by the grader's own ZMTP end (:mod:`.zmtp`: a bound per
whole message and on what it holds, so a kernel cannot make the grader buffer more) and
parsed with bounded cost (:func:`.answers.bounded_json_loads`). It also counts what the
kernel's processes use: CPU time (the sandbox's own processes, so a busy machine does not
change the verdict), resident memory, processes, time spent waiting for a processor, and the
use of each writable tmpfs by ``statvfs`` (constant cost, however many files or folders).
When the run ends, :meth:`Kernel.close`
kills its whole process tree: bubblewrap's pid namespace dies with it, and its control groups
are emptied. What those numbers mean for a submission is :mod:`.cell_runner`'s business.
"""

from __future__ import annotations

import os
import secrets
import select
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import Any


import psutil
from jupyter_client.session import Session

from osmcourse.grading.answers import bounded_json_loads
from osmcourse.grading.confine import Cgroup
from osmcourse.grading.bubblewrap import HOME_INSIDE, WRITABLE_PLACES
from osmcourse.grading.launch import connection_folder, launch_kernel
from osmcourse.grading.limits import Limits
from osmcourse.grading.zmtp import Connection

# Messages the grader takes from one socket per poll.
RECEIVE_BATCH = 16


def message_bound(limits: Limits) -> int:
    """The most the grader keeps of one message from a kernel (all its frames): the notebook's
    output limit four times over (JSON escapes) and room for the rest of a message."""
    return 4 * limits.output_bytes + 1_000_000


class Kernel:
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
        self.sockets: dict[str, Connection] = {}
        self.outer: set[int] = set()  # bubblewrap itself and its init: not the student's
        self.kernel_pid: int | None = None
        self.root: Path | None = None  # the sandbox's root, seen from the host
        key = secrets.token_hex(32)
        # Every message from the kernel is size-capped as it is read (.zmtp), then parsed with
        # bounded cost.
        self.session = Session(
            key=key.encode(),
            signature_scheme="hmac-sha256",
            username="grader",
            unpack=bounded_json_loads,
        )
        # Unprotected, the kernel lives in a host folder; sandboxed, in its own tmpfs.
        self.home = (workdir or Path("/nonexistent")) / "home"
        connection = {
            "transport": "ipc",
            "ip": f"{connection_folder(isolate, self.home)}/k",
            "key": key,
            "signature_scheme": "hmac-sha256",
            "shell_port": 1,
            "iopub_port": 2,
            "stdin_port": 3,
            "control_port": 4,
            "hb_port": 5,
            "kernel_name": "python3",
        }
        launched = launch_kernel(connection, self.home, limits, isolate, uid)
        self.process = launched.process
        self.cgroup = launched.cgroup
        # bubblewrap's own process (its init joins on first use): never the student's. Without
        # isolation the process the grader started is prlimit's kernel itself, which is.
        self.outer = {self.process.pid} if isolate else set()
        self.started = time.monotonic()
        self.closed = False

    @property
    def connected(self) -> bool:
        """Whether :meth:`connect` has connected the grader's sockets (it does so once)."""
        return bool(self.sockets)

    def processes(self) -> list[psutil.Process]:
        """The process the grader started (bubblewrap, or prlimit's kernel) and all below it."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def alive(self) -> bool:
        """Whether the process the grader started is still running."""
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
        for where in WRITABLE_PLACES:
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
        ports = {"shell": ("DEALER", 1), "iopub": ("SUB", 2), "control": ("DEALER", 4)}
        for _, port in ports.values():
            try:
                if not stat.S_ISSOCK(os.lstat(f"{folder}/k-{port}").st_mode):
                    return False
            except OSError:
                return False
        self.root = root if self.isolated else None
        for name, (kind, port) in ports.items():
            try:
                self.sockets[name] = Connection(
                    f"{folder}/k-{port}", kind, message_bound(self.limits)
                )
            except OSError:
                for connection in self.sockets.values():
                    connection.close()
                self.sockets = {}
                return False
        return True

    def connection_lost(self) -> bool:
        """Whether a socket's peer closed the connection (a kernel's XPUB sometimes drops one
        made while it is still starting)."""
        return any(connection.closed for connection in self.sockets.values())

    def disconnect(self) -> None:
        """Close the grader's sockets, so :meth:`connect` connects again: only while the kernel
        starts, before any code of the student's has run."""
        for connection in self.sockets.values():
            connection.close()
        self.sockets = {}

    @property
    def oversized(self) -> int:
        """Messages from the kernel dropped for being larger than :func:`message_bound`."""
        return sum(connection.oversized for connection in self.sockets.values())

    def send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        """Send a signed message on ``channel`` (``shell``, ``control``); its message id."""
        msg = self.session.msg(msg_type, content)
        self.sockets[channel].send(self.session.serialize(msg))
        return msg["header"]["msg_id"]

    def receive(self, timeout: float) -> list[tuple[str, dict[str, Any]]]:
        """The messages that arrive within ``timeout`` seconds, as (channel, message).

        At most :data:`RECEIVE_BATCH` per socket; a message that fails its signature or its
        bounded parsing is dropped, and one larger than :func:`message_bound` is never kept
        (:attr:`oversized` counts it). Before :meth:`connect`, this only waits.
        """
        if not self.sockets:
            time.sleep(timeout)
            return []
        names = ("shell", "iopub", "control")
        connections = [self.sockets[name] for name in names]
        if not any(connection.messages for connection in connections):
            readable = [c for c in connections if c.has_room()]
            writable = [c for c in connections if c.wants_to_write()]
            try:
                select.select(readable, writable, [], timeout)
            except (OSError, ValueError):
                time.sleep(timeout)
        messages = []
        for name, connection in zip(names, connections):
            connection.flush()
            connection.read()
            for frames in connection.take(RECEIVE_BATCH):
                try:
                    _, parts = self.session.feed_identities(frames, copy=True)
                    msg = self.session.deserialize(parts, content=True, copy=True)
                except Exception:  # noqa: BLE001 - a malformed or forged message is dropped
                    continue
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
        """Kill the sandbox (:meth:`kill`) and close the grader's sockets; once only."""
        if self.closed:
            return
        self.closed = True
        self.kill()
        for connection in self.sockets.values():
            connection.close()


__all__ = ["RECEIVE_BATCH", "Kernel", "message_bound"]
