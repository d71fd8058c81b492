"""What one graded submission may use (:class:`Limits`), and how a row writes a size.

The numbers only: :mod:`.launch` turns them into bubblewrap's tmpfs sizes and ``prlimit``'s
limits, :mod:`.confine` into control groups, and :mod:`.cell_runner` checks the rest (CPU
time, idle time, what the sandbox's processes hold) while cells run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds; sizes in bytes.

    ``cpu_seconds`` is the notebook's CPU budget (``--timeout``); ``cell_cpu_seconds`` one
    cell's. Both measure CPU time used by the sandbox's processes, never the wall clock.
    ``idle_seconds`` is the notebook's budget of waiting: wall-clock time spent neither
    computing nor waiting for a processor (a ``sleep``, a blocking read), in its cells, after
    them, and while its kernel answers the grader's request for the answers: every wait the
    grader makes for the kernel counts. A submission stopped by it is not graded again.
    ``wall_seconds`` is only a backstop (with every wait charged, only a busy machine reaches
    it): a submission stopped by it is retried once, alone, before it gets a row.
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


def size_text(n: float) -> str:
    """A size in bytes as a row says it: ``"2 GB"``, ``"40 MB"``."""
    if n >= 1e9:
        return f"{n / 1e9:g} GB"
    return f"{n / 1e6:g} MB"


__all__ = ["Limits", "size_text"]
