"""A hostile class: one submission can never cost another anything, and the grader always ends.

Every attack is a real student copy of a lab (``make_student_copy`` of its master) with an
attack cell added, graded in one batch together with a solved master and an untouched copy
(the victims). The victims must get exactly the rows they get when graded alone; their
files must be unchanged; the CSV must be written; no process may outlive the run. Attacks
that would gain marks if they worked start from a blank copy and set the answers only when
the attack succeeds, so any mark they get is a breach. Everything runs inside the test's
own temporary folders.
"""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import stat
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil
import pytest

from osmcourse.student.copies import make_student_copy, repository_url
from osmcourse.grading import Limits, grade, isolation_problem, read_submission
from osmcourse.grading.bubblewrap import UID_BASE

from conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        isolation_problem() is not None, reason=f"no sandbox: {isolation_problem()}"
    ),
]
LAB_FILE = ROOT / "exercises" / "mass-media-vs-word-of-mouth.ipynb"
MARKER = "4321.0123"  # the argument of every `sleep` an attack starts, to find leftovers
# Small limits keep the batch quick; the victims still run well inside them.
# (The wall-clock backstop stays well above the CPU limits: this machine may be busy.)
LIMITS = Limits.from_timeout(
    8, cell_wall_seconds=45.0, wall_seconds=240.0, file_bytes=20_000_000, memory_bytes=1_000_000_000
)


def master():
    return nbformat.read(LAB_FILE, as_version=4)


def student():
    return make_student_copy(master(), repository_url(ROOT))


def attack(base, source):
    base.cells.append(nbformat.v4.new_code_cell(source))
    return base


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers() -> list[str]:
    """Processes of one of this grader's sandbox uids, or started by an attack outside any, still running.

    (Only this process's uids: other graders may be running on the same machine.)
    """
    found = []
    ours = UID_BASE + (os.getpid() % 50_000) * 10_000  # the range bubblewrap.allocate_uid uses here
    for process in psutil.process_iter(["uids", "cmdline"]):
        try:
            uids, cmdline = process.info["uids"], process.info["cmdline"] or []
        except psutil.Error:
            continue
        if uids and (
            ours <= uids.real < ours + 10_000 or (MARKER in cmdline and uids.real < UID_BASE)
        ):
            found.append(" ".join(cmdline))
    return found


@pytest.fixture(scope="module")
def listener():
    """A TCP port on the grader's loopback: no kernel may reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def victims(tmp_path_factory):
    folder = tmp_path_factory.mktemp("victims")
    nbformat.write(master(), folder / "solved.ipynb")
    nbformat.write(student(), folder / "untouched.ipynb")
    alone = grade([folder], folder.parent / "alone.csv", progress=None, limits=LIMITS)
    return {
        "folder": folder,
        "alone": {s.path.name: s.rows for s in alone},
        "digests": {p.name: digest(p) for p in folder.iterdir()},
    }


@pytest.fixture(scope="module")
def batch(victims, listener, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    out_dir = tmp_path_factory.mktemp("out")
    out = out_dir / "grades.csv"
    paths = [str(victims["folder"] / name) for name in ("solved.ipynb", "untouched.ipynb")]
    secret = next(p for p in Path.home().iterdir() if not str(sys.base_prefix).startswith(str(p)))
    port = listener.getsockname()[1]
    targets = repr([*paths, str(victims["folder"]), str(out), str(out_dir)])
    host_tmp = tempfile.gettempdir()
    attacks = {
        "kill_grader": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)",
        "stop_grader": "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\nos.kill(1, signal.SIGSTOP)",
        "mkfifo": "import os\nos.mkfifo('answers.json')\nos.mkfifo('kernel.json.fifo')",
        # Would get full marks on a blank copy if it could read a classmate's notebook or answers.
        "steal": f"""
import glob, json, os
for path in {paths!r} + glob.glob({host_tmp!r} + '/osm-grade-*/**/*', recursive=True):
    try:
        with open(path) as handle:
            data = json.load(handle)
    except Exception:
        continue
    if isinstance(data, dict) and 'cells' in data:
        for cell in data['cells']:
            if cell.get('cell_type') == 'code':
                try:
                    exec(''.join(cell['source']), globals())
                except BaseException:
                    pass
    elif isinstance(data, dict):
        globals().update(data)
""",
        "destroy": f"""
import glob, os, shutil
targets = {targets}
for cmdline in glob.glob('/proc/*/cmdline'):
    try:
        targets += [a for a in open(cmdline, 'rb').read().decode(errors='ignore').split('\\0') if '/' in a]
    except OSError:
        pass
for target in targets:
    for act in (lambda: open(target, 'w').write('{{}}'), lambda: os.remove(target), lambda: shutil.rmtree(target)):
        try:
            act()
        except Exception:
            pass
""",
        "kill_kernels": "import os, signal, psutil\nfor pid in psutil.pids():\n    if pid != os.getpid():\n"
        "        for sig in (signal.SIGSTOP, signal.SIGKILL):\n            try:\n"
        "                os.kill(pid, sig)\n            except OSError:\n                pass",
        "memory": "hold = bytearray(6 * 2**30)",
        "detached": f"import subprocess\nfor _ in range(25):\n    subprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)",
        "fork_many": f"import subprocess\nfor _ in range(80):\n    subprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)",
        "writer": "import subprocess\nsubprocess.Popen(['sh', '-c', 'while true; do echo x >> \"$HOME/junk.$RANDOM\"; done'],"
        " start_new_session=True)\nimport time\ntime.sleep(1)",
        "big_file": "with open('big.bin', 'wb') as handle:\n    handle.write(b'x' * 30_000_000)",
        # A blank copy that scores only if the sandbox lets it see out.
        "escape": f"""
import os, socket
seen = []
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=3).send(b'hello')
    seen.append('network')
except OSError:
    pass
for path in ({str(secret)!r}, {str(victims["folder"])!r}, {host_tmp!r} + '/pytest-of-' + str(os.getuid())):
    try:
        os.stat(path)
        seen.append(path)
    except OSError:
        pass
import osmcourse, osmcourse.text
for folder in (os.path.dirname(osmcourse.__file__), str(osmcourse.text.SEEDS_DIR), os.path.dirname(os.__file__)):
    try:
        with open(os.path.join(folder, 'pwned.txt'), 'w') as handle:
            handle.write('x')
        seen.append(folder)
    except OSError:
        pass
if seen:
    peak_sales_year, q_over_p, share_external, interpretation = 1956, 23.83, 0.1684, 'c'
    peak_times = {{'base': 6.19, 'double_p': 4.195, 'double_q': 4.09}}
""",
    }
    for name, source in attacks.items():
        nbformat.write(attack(student(), source), folder / f"{name}.ipynb")
    # Answers computed, then a cell that never ends and ignores the interrupt; or stops itself.
    nbformat.write(
        attack(
            master(),
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        ),
        folder / "ignores_interrupt.ipynb",
    )
    nbformat.write(
        attack(master(), "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)"),
        folder / "stops_itself.ipynb",
    )
    # Not attacks, but they used to lose the whole batch.
    listed = master()
    listed.metadata["osmcourse"] = {"lab": ["bass"]}
    nbformat.write(listed, folder / "lab_as_list.ipynb")
    (folder / os.fsdecode(b"caf\xe9-latin1.ipynb")).write_bytes(
        (folder / "lab_as_list.ipynb").read_bytes()
    )
    os.mkfifo(folder / "fifo.ipynb")
    os.symlink("/dev/zero", folder / "zero.ipynb")
    if os.geteuid() == 0:
        os.mknod(folder / "device.ipynb", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    with open(folder / "huge.ipynb", "wb") as handle:
        handle.truncate(30_000_000)
    before = leftovers()
    count = 2 + len(os.listdir(folder))
    submissions = grade([victims["folder"], folder], out, progress=None, limits=LIMITS)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    try:
        connection, _ = listener.accept()
        connection.close()
        reached = True
    except BlockingIOError:
        reached = False
    return {
        "subs": {os.fsencode(s.path.name): s for s in submissions},
        "rows": rows,
        "out": out,
        "before": before,
        "after": leftovers(),
        "reached": reached,
        "count": count,
    }


def rows_of(batch, name: str):
    return {row.question: row for row in batch["subs"][name.encode()].rows}


def test_the_grader_ends_and_writes_every_submission(batch):
    assert batch["out"].exists()
    names = {os.fsencode(Path(row["submission"]).name) for row in batch["rows"]}
    assert set(batch["subs"]) <= names | {b"caf\xe9-latin1.ipynb"}
    assert len(batch["subs"]) == batch["count"]


def test_victims_get_exactly_their_alone_rows_and_keep_their_files(batch, victims):
    for name, alone in victims["alone"].items():
        assert batch["subs"][name.encode()].rows == alone, name
    assert [r.score for r in victims["alone"]["solved.ipynb"]] == [1.0] * 5
    assert {p.name: digest(p) for p in victims["folder"].iterdir()} == victims["digests"]


@pytest.mark.parametrize(
    "name", ["steal", "escape", "destroy", "kill_grader", "stop_grader", "mkfifo", "kill_kernels"]
)
def test_attacks_gain_nothing(batch, name):
    rows = rows_of(batch, f"{name}.ipynb")
    assert [rows[q].score for q in "12345"] == [0.0] * 5, rows


def test_the_network_and_the_grader_are_out_of_reach(batch):
    assert not batch["reached"]
    import osmcourse
    from osmcourse.text import SEEDS_DIR

    assert (
        not (Path(osmcourse.__file__).parent / "pwned.txt").exists()
        and not (SEEDS_DIR / "pwned.txt").exists()
    )


def test_limits_are_clear_rows(batch):
    assert "used more than 1 GB of memory" in rows_of(batch, "memory.ipynb")["run"].feedback
    assert "more than 50 processes" in rows_of(batch, "fork_many.ipynb")["run"].feedback
    assert "larger than 20 MB" in rows_of(batch, "big_file.ipynb")["run"].feedback
    assert batch["subs"][b"memory.ipynb"].status == "limit reached"


def test_no_process_outlives_its_grading(batch):
    assert batch["after"] == batch["before"] == []


def test_answers_computed_before_a_cell_that_never_ends_count(batch):
    rows = rows_of(batch, "ignores_interrupt.ipynb")
    assert [rows[q].score for q in "12345"] == [1.0] * 5
    assert "ignored the interrupt" in rows["run"].feedback
    stopped = rows_of(batch, "stops_itself.ipynb")
    assert [stopped[q].score for q in "12345"] == [1.0] * 5
    assert "wall-clock limit" in stopped["run"].feedback
    assert batch["subs"][b"stops_itself.ipynb"].status == "timed out"


def test_odd_files_and_names_get_one_row_or_are_graded(batch):
    odd = [
        ("fifo.ipynb", "named pipe"),
        ("zero.ipynb", "symbolic link"),
        ("huge.ipynb", "larger than 20 MB"),
    ]
    for name, words in odd + ([("device.ipynb", "a device")] if os.geteuid() == 0 else []):
        rows = rows_of(batch, name)
        assert list(rows) == ["run"] and words in rows["run"].feedback, (name, rows)
    for name in ("lab_as_list.ipynb", os.fsdecode(b"caf\xe9-latin1.ipynb")):
        rows = {row.question: row for row in batch["subs"][os.fsencode(name)].rows}
        assert [rows[q].score for q in "12345"] == [1.0] * 5
    assert any("caf\ufffd-latin1.ipynb" in row["submission"] for row in batch["rows"])


def test_read_submission_never_opens_a_stream(tmp_path):
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    assert "named pipe" in read_submission(fifo)
    os.symlink(fifo, tmp_path / "link.ipynb")
    assert "symbolic link" in read_submission(tmp_path / "link.ipynb")
    (tmp_path / "small.ipynb").write_bytes(b"{}")
    assert read_submission(tmp_path / "small.ipynb") == b"{}"
