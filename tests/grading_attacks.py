"""Hostile submissions, built from real student copies and solved labs.

The one home of the hostile submissions: what crosses from a kernel to the grader
(tests/test_grading_channel.py), what one submission may use (:data:`LIMIT_ATTACKS`,
tests/test_grading_limits.py) and names that break what the instructor gets
(:data:`NAME_FILES`, tests/test_gradebook_hostile.py); tools/benchmark.py measures the grader's
own memory and CPU on all of them. Each builder writes notebooks into a folder and returns
their paths.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "exercises" / "student"
NOTEBOOKS = {
    "readings": "reading-the-readings",
    "bass": "mass-media-vs-word-of-mouth",
    "network": "broadcast-or-bazaar",
    "longtail": "head-and-tail",
    "trust": "trust-and-noise",
}

# The answer key as the old checks exposed it: each answer variable from a private function of
# the check module the notebook imports as ``check`` (a blank copy plus these scored 5/5).
EXPECTED_CALLS = {
    "readings": {
        "conversation_shares": "check._expected_english_shares()",
        "swedish_shares": "check._expected_swedish_shares()",
    },
    "bass": {
        "share_external": "check._expected_external_share()",
        "peak_times": "check._expected_peak_times()",
        "q_over_p": "check._fit().q / check._fit().p",
    },
    "network": {
        "top3_share": "check._expected_top_share()",
        "hub_reach": "check._expected_reach('top_degree', check.TASK3_P)",
        "best_strategy": "check._expected_winners()",
    },
    "longtail": {
        "weekly_units_at": "check._expected_weekly_units()",
        "tail_shares": "check._expected_tail_shares()",
        "catalogue_needed": "check._expected_catalogues()",
    },
    "trust": {
        "most_trusted": "check._expected_most_trusted()",
        "gap_points": "check._expected_gaps()",
        "mean_trust_2013": "check._expected_category_means()",
        "shrink_share": "check._expected_shrink_share()",
    },
}
# Task numbers of those answers, per lab (the rows that must score 0).
EXPECTED_TASKS = {
    "readings": ["3", "4"],
    "bass": ["2", "3", "4"],
    "network": ["2", "3", "4"],
    "longtail": ["2", "3", "4"],
    "trust": ["1", "2", "3", "4"],
}


def student_copy(lab: str) -> nbformat.NotebookNode:
    return nbformat.read(STUDENT / f"{NOTEBOOKS[lab]}.ipynb", as_version=4)


def _write(folder: Path, name: str, notebook: nbformat.NotebookNode) -> Path:
    path = folder / name
    nbformat.write(notebook, path)
    return path


def expected_attack(lab: str) -> nbformat.NotebookNode:
    """A blank copy plus a cell that reads the answers from the key, every way it could."""
    lines = []
    for name, call in EXPECTED_CALLS[lab].items():
        lines += ["try:", f"    {name} = {call}", "except Exception:", "    pass"]
    # The plain key itself, had the kernel been shown it.
    lines += [
        "try:",
        f"    from osmcourse.keys.{lab} import targets as _targets",
        "    _found = {label: getattr(t, 'value', None) for label, t in _targets().items()}",
        "    print('READ THE KEY', len(_found))",
        "except Exception:",
        "    pass",
    ]
    notebook = student_copy(lab)
    notebook.cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    return notebook


# Defining __import__ in the notebook: the old request went through it and got this instead.
INTERCEPT = """
import json as _json
class _Forged:
    def encode_answers(self, namespace, names):
        return _json.dumps({"peak_sales_year": 1956, "q_over_p": 13.0, "interpretation": "c"})
def __import__(name, *args, **kwargs):
    return _Forged()
peak_sales_year = 1900
"""


def intercept_attack() -> nbformat.NotebookNode:
    notebook = student_copy("bass")
    notebook.cells.append(nbformat.v4.new_code_cell(INTERCEPT))
    return notebook


def range_index_attack(length: int = 150_000_000) -> nbformat.NotebookNode:
    """Zero bytes in the kernel; listing it costs 40 bytes a value (5.85 GB for 150 million)."""
    notebook = student_copy("trust")
    notebook.cells.append(
        nbformat.v4.new_code_cell(f"import pandas as pd\nmost_trusted = pd.RangeIndex({length})")
    )
    return notebook


# Every answer request gets a 4 MB reply: through an intercepted __import__ (the old channel), and
# by replacing the kernel's own handler (the new one), in three shapes in turn.
REPLIES = """
class _Big:
    def encode_answers(self, namespace, names):
        return [0] * 1_300_000
def __import__(name, *args, **kwargs):
    return _Big()
_kernel = get_ipython().kernel
_calls = [0]
def _reply(stream, idents, parent):
    _calls[0] += 1
    shape = _calls[0] % 3
    big = ("[" * 2_000_000 if shape == 0 else [0] * 1_300_000 if shape == 1 else "0," * 2_000_000)
    _kernel.session.send(stream, "osm_answers_reply", {"status": "ok", "answers": big}, parent, ident=idents)
_kernel.shell_handlers["osm_answers_request"] = _reply
"""


def replies_attack(cells: int = 41) -> nbformat.NotebookNode:
    notebook = student_copy("bass")
    notebook.cells.append(nbformat.v4.new_code_cell(REPLIES))
    notebook.cells += [nbformat.v4.new_code_cell(f"step = {i}") for i in range(cells - 1)]
    return notebook


# One reply of many frames, each under the per-frame size cap, sent from one buffer (nothing
# to the kernel): a grader that bounds frames, not messages, holds them all (1.6 GB here).
MANY_FRAMES = """
_kernel = get_ipython().kernel
_chunk = b"x" * 8_000_000
def _flood(stream, idents, parent):
    stream.send_multipart(list(idents) + [_chunk] * 200, copy=False)
_kernel.shell_handlers["osm_answers_request"] = _flood
"""


def many_frames_attack() -> nbformat.NotebookNode:
    notebook = student_copy("bass")
    notebook.cells.append(nbformat.v4.new_code_cell(MANY_FRAMES))
    notebook.cells.append(nbformat.v4.new_code_cell("step = 1"))
    return notebook


# What one submission may use, attacked (tests/test_grading_limits.py): each runs after a
# solved lab's own cells, so its answers are already right.
LIMIT_ATTACKS = {
    # 10 files of 9 MB, each unlinked and kept open: 90 MB no folder walk sees, over a 40 MB quota.
    "unlinked": """
import os
held = []
for i in range(10):
    handle = open(f'part{i}.bin', 'wb')
    handle.write(b'x' * 9_000_000)
    handle.flush()
    os.unlink(f'part{i}.bin')
    held.append(handle)
""",
    # 60 MB behind a path longer than PATH_MAX (4096), in /tmp.
    "deep_path": """
import os
os.chdir('/tmp')
for _ in range(30):
    os.mkdir('d' * 200)
    os.chdir('d' * 200)
assert len(os.getcwd()) > 4096
with open('hidden.bin', 'wb') as handle:
    for _ in range(6):
        handle.write(b'x' * 10_000_000)
""",
    # 300,000 empty folders: no data, but inodes (and, unbounded, minutes of a grader's walk).
    "folders": """
import os
for i in range(300_000):
    os.mkdir(f'f{i}')
""",
    # 720 MB in memfd files (each under the file-size limit): in no process's resident size.
    "memfd": """
import os
held = []
for _ in range(8):
    fd = os.memfd_create('hidden')
    for _ in range(9):
        os.write(fd, b'x' * 10_000_000)
    held.append(fd)
""",
    # `sleep` renamed `bwrap`, 30 times: counted like any process.
    "named_bwrap": """
import os, shutil, subprocess, time
shutil.copy('/usr/bin/sleep', 'bwrap')
os.chmod('bwrap', 0o755)
children = [subprocess.Popen(['./bwrap', '300']) for _ in range(30)]
time.sleep(3)
""",
    # Threads are tasks too: 400 of them, over 8 x 20.
    "threads": """
import threading
gate = threading.Event()
threads = []
for _ in range(400):
    thread = threading.Thread(target=gate.wait, daemon=True)
    thread.start()
    threads.append(thread)
""",
    # Sleeping under every wall-clock limit: the idle budget stops it.
    "sleeper": "import time\nfor _ in range(6):\n    time.sleep(10)",
    # Fills its own disk with files it unlinks and keeps open (out of sight of any folder
    # walk), and keeps at it while classmates start: their rows must not change.
    "filler": """
import os, time
end = time.time() + 8
held = []
i = 0
while time.time() < end:
    try:
        handle = open(f'fill{i}.bin', 'wb')
        os.unlink(f'fill{i}.bin')
        held.append(handle)
        handle.write(b'x' * 5_000_000)
        handle.flush()
    except OSError:
        pass
    i += 1
""",
}

# Replaces the grader's answer request handler with one that sleeps before it answers (under the
# grader's wait for the answers), then ends with many cheap cells: each answer request waits.
SLOW_ANSWERS = """
import time
_kernel = get_ipython().kernel
_honest = _kernel.shell_handlers["osm_answers_request"]
def _slow(stream, idents, parent):
    time.sleep(3)
    return _honest(stream, idents, parent)
_kernel.shell_handlers["osm_answers_request"] = _slow
"""


# Names that break or forge what the instructor gets (tests/test_gradebook_hostile.py).
ESCAPES = "\x1b]0;owned\x07\x1b[8mhidden\x1b]52;c;cHduZWQ=\x07\u202egnp"
FORGED = "zed: trust 99 of 99"
NAME_FILES = {
    "ada": "ada.ipynb",
    "_ada": "_ada.ipynb",
    "mallory": "mallory;=1+1;.ipynb",
    "eve": "eve\uffff\ufdd0.ipynb",
    "esc": f"{ESCAPES}\n{FORGED}.ipynb",
}


def limit_batch(folder: Path) -> list[Path]:
    """The solved bass lab with each of :data:`LIMIT_ATTACKS` appended, and the slow answers."""
    master = ROOT / "exercises" / f"{NOTEBOOKS['bass']}.ipynb"
    paths = []
    for name, source in {**LIMIT_ATTACKS, "slow_answers": SLOW_ANSWERS}.items():
        notebook = nbformat.read(master, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(source))
        paths.append(_write(folder, f"limit_{name}.ipynb", notebook))
    return paths


def names_batch(folder: Path) -> list[Path]:
    """The solved trust lab under each of :data:`NAME_FILES`' names."""
    master = (ROOT / "exercises" / f"{NOTEBOOKS['trust']}.ipynb").read_bytes()
    paths = []
    for name in NAME_FILES.values():
        (folder / name).write_bytes(master)
        paths.append(folder / name)
    return paths


def huge_notebook(folder: Path, megabytes: float = 18.0) -> Path:
    """A notebook of empty cells, ``megabytes`` long (parsing it took nbformat 3 GB)."""
    base = json.loads(nbformat.writes(student_copy("trust")))
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": [],
    }
    size = len(json.dumps(dict(cell, id="c0000000")))
    base["cells"] += [dict(cell, id=f"c{i:07d}") for i in range(int(megabytes * 1e6 / (size + 2)))]
    path = folder / "huge.ipynb"
    path.write_text(json.dumps(base), encoding="utf-8")
    return path


def escaped_cells_notebook(folder: Path, cells: int = 60_000) -> Path:
    """A notebook whose cells spell their key ``"cell\\u005ftype"``: the same key once parsed.

    A guard that counts the bytes ``"cell_type"`` sees none of them; ``json.loads`` builds
    ``cells`` cells.
    """
    base = nbformat.writes(student_copy("trust"))
    cell = '{"cell\\u005ftype": "markdown", "metadata": {}, "source": ""}'
    text = base.replace('"cells": [', '"cells": [' + ", ".join([cell] * cells) + ", ", 1)
    path = folder / "escaped_cells.ipynb"
    path.write_text(text, encoding="utf-8")
    return path


def attack_batch(folder: Path) -> list[Path]:
    """Every attack of this module, as files in ``folder``."""
    paths = [_write(folder, f"expected_{lab}.ipynb", expected_attack(lab)) for lab in NOTEBOOKS]
    paths += [
        _write(folder, "intercept.ipynb", intercept_attack()),
        _write(folder, "rangeindex.ipynb", range_index_attack()),
        _write(folder, "replies.ipynb", replies_attack()),
        _write(folder, "many_frames.ipynb", many_frames_attack()),
        huge_notebook(folder),
        escaped_cells_notebook(folder),
    ]
    return paths


def solved_batch(folder: Path, count: int = 10) -> list[Path]:
    """``count`` solved copies: the masters in turn."""
    masters = [ROOT / "exercises" / f"{name}.ipynb" for name in NOTEBOOKS.values()]
    paths = []
    for i in range(count):
        path = folder / f"solved_{i:02d}.ipynb"
        path.write_bytes(masters[i % len(masters)].read_bytes())
        paths.append(path)
    return paths


# The grader in a child process of its own, so its peak memory (ru_maxrss) and CPU are its alone:
# a kernel's time and memory stay in its sandbox, outside the grader's RUSAGE_SELF.
_MEASURE = """
import json, resource, sys
from pathlib import Path
from osmcourse.grading import Limits, grade
paths, out, timeout = json.loads(sys.argv[1])
subs = grade([Path(p) for p in paths], Path(out), progress=None, limits=Limits.from_timeout(timeout))
usage = resource.getrusage(resource.RUSAGE_SELF)
rows = {s.path.name: [[r.question, r.score, r.feedback] for r in s.rows] for s in subs}
statuses = {s.path.name: s.status for s in subs}
print(json.dumps({"maxrss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
                  "rows": rows, "statuses": statuses}))
"""


def measure_grader(paths: list[Path], out: Path, timeout: float = 60.0) -> dict:
    """Grade ``paths`` in a fresh grading process; its peak memory (MB), CPU (s), rows and statuses."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, json.dumps([[str(p) for p in paths], str(out), timeout])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"the grading process failed ({result.returncode}): {result.stderr[-2000:]}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])
