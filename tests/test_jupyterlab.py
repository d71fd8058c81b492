"""The students' environment, proven in a real JupyterLab driven through its own interface.

JupyterLab runs from the students' environment alone (`make student-env`: a venv built from
requirements.txt only, as Binder, a hub or a laptop has it) on a free localhost port, with a
token, in a temporary copy of exercises/student/. Debian's Chromium, driven by Playwright,
opens a student notebook, runs every cell from the Run menu, sees every check say "not
answered yet", types the solution master's answer into one answer cell, reruns that cell and
its check with Shift+Enter, and sees "correct". A second test follows the "Start here"
page's own commands: a fresh venv, `pip install -r requirements.txt`, `jupyter lab
exercises/student/`.

Needs /usr/bin/chromium (Debian's `chromium`, installed by `make test`) and the student venv
(OSM_STUDENT_VENV, or .venv-student; `make test` builds it first).
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# The lab and the task the browser answers; the answer itself is read from the master.
LAB = "head-and-tail.ipynb"
STARTUP_SECONDS = 300
RUN_ALL_SECONDS = 300
# Limits, not measurements: generous, for a loaded 2-core machine (tests never assert times).
WAIT_MS = 180_000


def student_venv() -> Path:
    venv = Path(os.environ.get("OSM_STUDENT_VENV", ROOT / ".venv-student"))
    if not (venv / "bin" / "jupyter-lab").exists():
        pytest.fail(f"no JupyterLab in the students' environment {venv}: run `make student-env`")
    return venv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    """One task of a lab: its answer cell, its check cell, and the master's right answer."""

    answer_cell: int
    check_cell: int
    code: str


def code_cells(notebook: Path) -> list[tuple[int, dict]]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [(index, cell) for index, cell in enumerate(cells) if cell["cell_type"] == "code"]


def check_cells(notebook: Path) -> list[int]:
    """Indexes (among all cells) of the cells that call a check, such as ``check.task1(x)``."""
    return [
        index
        for index, cell in code_cells(notebook)
        if re.fullmatch(r"check\.task\w*\(\w+\)", "".join(cell["source"]).strip())
    ]


def simple_answer(master: Path, student: Path) -> Answer:
    """The first task whose master solution is one literal, ``name = "c"``, and its cells.

    The student copy's answer cell assigns ``...`` to the same name; its check cell follows.
    """
    solutions = {}
    for _, cell in code_cells(master):
        if "solution" not in cell["metadata"].get("tags", []):
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign):
            assign = tree.body[0]
            try:
                ast.literal_eval(assign.value)
            except ValueError:
                continue
            solutions[assign.targets[0].id] = ast.unparse(assign)
    checks = check_cells(student)
    for index, cell in code_cells(student):
        stub = re.search(r"^(\w+) = \.\.\.$", "".join(cell["source"]), re.M)
        if stub and stub[1] in solutions:
            following = [c for c in checks if c > index]
            assert following, f"no check cell after the answer cell {index}"
            return Answer(index, following[0], solutions[stub[1]])
    raise AssertionError(f"{master.name}: no solution that is a single literal")


class JupyterLab:
    """JupyterLab from ``venv`` on a free localhost port, serving ``root``; ``stop()`` ends it."""

    def __init__(self, command: list[str], home: Path, cwd: Path, root: Path | None = None) -> None:
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        # A private HOME: no user settings, kernels or workspaces of this machine leak in.
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        self.log = home / "jupyterlab.log"
        self.log_file = self.log.open("w")
        self.process = subprocess.Popen(
            [
                *command,
                "--no-browser",
                "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                *([f"--ServerApp.root_dir={root}"] if root else []),
            ],
            cwd=cwd,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_it_answers()

    def api(self, path: str) -> object:
        request = urllib.request.Request(
            f"{self.base}{path}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                pytest.fail(f"jupyter lab exited with {self.process.returncode}:\n{self.output()}")
            try:
                self.api("/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"jupyter lab did not answer within {STARTUP_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        self.log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def kernel_python(lab: JupyterLab) -> str:
    """The interpreter that the server's default kernel runs.

    ipykernel's own kernelspec says just ``python``, which jupyter_client replaces with the
    server's interpreter; so that is the server process's (read from /proc).
    """
    specs = lab.api("/api/kernelspecs")
    argv0 = specs["kernelspecs"][specs["default"]]["spec"]["argv"][0]
    if argv0 not in ("python", "python3", f"python3.{sys.version_info.minor}"):
        return argv0
    return Path(f"/proc/{lab.process.pid}/cmdline").read_bytes().split(b"\0")[0].decode()


def outputs_of(page, cell: int) -> str:
    """The text of one cell's outputs on the page (textContent: JupyterLab skips rendering
    cells out of view, so innerText would be empty for them)."""
    return page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-OutputArea").text_content()


def wait_for_the_kernel(page, lab: JupyterLab, name: str) -> None:
    """Until the notebook's kernel is started and idle, by the page and by the server.

    The page's indicator alone can read idle before a kernel is attached to the notebook.
    """
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
        "?.getAttribute('data-status') === 'idle'",
        timeout=WAIT_MS,
    )
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        states = [
            session["kernel"]["execution_state"]
            for session in lab.api("/api/sessions")
            if session["path"].endswith(name) and session.get("kernel")
        ]
        if states == ["idle"]:
            return
        time.sleep(0.5)
    pytest.fail(f"no idle kernel for {name}:\n" + notebook_state(page, lab))


def notebook_state(page, lab: JupyterLab) -> str:
    """What a person would look at when a run goes wrong: each code cell's prompt and the
    start of any error it shows, the kernel's status, any open dialog, the server's log."""
    cells = page.evaluate(
        """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map((cell, i) => {
            const prompt = cell.querySelector('.jp-InputPrompt')?.textContent ?? '';
            const output = cell.querySelector('.jp-OutputArea')?.textContent ?? '';
            const error = /Traceback|Error\\b/.test(output) ? output.slice(0, 300) : '';
            return cell.classList.contains('jp-CodeCell') ? `${i} ${prompt} ${error}` : null;
        }).filter(Boolean)"""
    )
    status = page.evaluate(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
        "?.getAttribute('data-status')"
    )
    dialogs = page.locator(".jp-Dialog").all_inner_texts()
    return (
        f"cells: {cells}\nkernel status: {status}\ndialogs: {dialogs}\n"
        f"server sessions: {lab.api('/api/sessions')}\nserver log:\n{lab.output()}"
    )


def work_through_a_lab(browser, lab: JupyterLab, notebook: Path, master: Path) -> None:
    """Run all, see "not answered yet" everywhere, answer one task, see "correct"."""
    checks = check_cells(notebook)
    answer = simple_answer(master, notebook)
    assert len(checks) >= 4, "a lab has at least four checked tasks"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Nothing but the local server: the environment must hold everything JupyterLab loads.
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(lab.base) else route.abort()
        ),
    )
    try:
        page.goto(f"{lab.base}/lab/tree/{notebook.name}?token={lab.token}")
        cells = page.locator(".jp-Notebook .jp-Cell")
        # Every cell on the page (JupyterLab attaches them in batches) and the kernel idle.
        expected_cells = len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
        page.wait_for_function(
            "([n]) => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n",
            arg=[expected_cells],
            timeout=WAIT_MS,
        )
        wait_for_the_kernel(page, lab, notebook.name)

        # Click into the notebook (its first cell), as a student does before using its menus:
        # the Run menu acts on the notebook that has the focus, and does nothing without one.
        cells.nth(0).click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        run_all = page.locator(
            ".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
            has_text=re.compile(r"^Run All Cells$"),
        )
        run_all.click()
        last_check = checks[-1]
        # Until the last check has run, or the run has stopped short of it (an error, a dead
        # kernel, a dialog): then the failure says which, rather than waiting out the limit.
        page.wait_for_function(
            """([index]) => {
                const prompts = [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
                    .map(cell => cell.querySelector('.jp-InputPrompt')?.textContent ?? '');
                if (/\\[\\d+\\]/.test(prompts[index])) return true;
                const busy = prompts.some(prompt => prompt.includes('*'));
                const status = document.querySelector('.jp-Notebook-ExecutionIndicator')
                    ?.getAttribute('data-status');
                return document.querySelector('.jp-Dialog') !== null
                    || (!busy && status === 'idle' && prompts.some(p => /\\[\\d+\\]/.test(p)));
            }""",
            arg=[last_check],
            timeout=RUN_ALL_SECONDS * 1000,
        )
        prompt = cells.nth(last_check).locator(".jp-InputPrompt").text_content()
        assert re.search(r"\[\d+\]", prompt), "Run All stopped short:\n" + notebook_state(page, lab)
        for index in checks:
            text = outputs_of(page, index)
            assert "not answered yet" in text, f"cell {index}: {text!r}"
        every_output = page.locator(".jp-Notebook .jp-OutputArea").all_text_contents()
        failures = [text for text in every_output if re.search(r"Traceback|\b\w+Error\b", text)]
        assert not failures, failures[:3]

        # Type the master's answer into the answer cell, then Shift+Enter twice: the answer
        # cell runs and the selection moves to its check cell, which runs next.
        editor = cells.nth(answer.answer_cell).locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(answer.code)
        assert editor.inner_text().strip() == answer.code
        page.keyboard.press("Shift+Enter")
        page.keyboard.press("Shift+Enter")
        check_output = cells.nth(answer.check_cell).locator(".jp-OutputArea")
        check_output.filter(has_text="correct").wait_for(timeout=WAIT_MS)
        page.wait_for_function(
            """([index]) => !document.querySelectorAll('.jp-Notebook .jp-Cell')[index]
                .querySelector('.jp-OutputArea').textContent.includes('not answered yet')""",
            arg=[answer.check_cell],
            timeout=WAIT_MS,
        )
        verdict = check_output.text_content()
        assert re.search(r"Task \w+: correct\.", verdict), verdict
        assert not errors, errors
    except Exception as error:
        page.screenshot(path=str(Path(lab.log).with_name("failure.png")), full_page=True)
        if isinstance(error, AssertionError):
            raise
        raise AssertionError(f"{error}\n{notebook_state(page, lab)}") from error
    finally:
        context.close()


def test_a_lab_runs_and_checks_answers_in_jupyterlab_from_the_students_environment(
    browser, tmp_path
):
    venv = student_venv()
    labs = tmp_path / "labs"
    shutil.copytree(ROOT / "exercises" / "student", labs)
    lab = JupyterLab(
        [str(venv / "bin" / "jupyter"), "lab"], home=tmp_path / "home", cwd=tmp_path, root=labs
    )
    try:
        # The kernel is the students' environment's own Python, not the build environment's.
        assert kernel_python(lab).startswith(str(venv)), kernel_python(lab)
        work_through_a_lab(browser, lab, labs / LAB, ROOT / "exercises" / LAB)
    finally:
        lab.stop()


def open_and_close_untouched(browser, lab: JupyterLab, name: str) -> tuple[bool, str]:
    """Open one notebook in JupyterLab, wait for its kernel, close its tab as a reader would.

    Returns whether the tab was marked modified once the kernel was idle, and the text of any
    dialog that closing it raised ("Save your work ...").
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{lab.base}/lab/tree/{name}?token={lab.token}")
        page.wait_for_function(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
            "?.getAttribute('data-status') === 'idle'",
            timeout=WAIT_MS,
        )
        # The kernel's spec and language arrive after it is idle; give them a moment to land.
        page.wait_for_timeout(2000)
        tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text=name)
        modified = "jp-mod-dirty" in (tab.get_attribute("class") or "")
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^File$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Close Tab$")).click()
        page.wait_for_timeout(1000)
        dialog = " ".join(page.locator(".jp-Dialog").all_inner_texts())
        return modified, dialog
    finally:
        context.close()


def test_opening_and_closing_a_lab_leaves_it_unchanged(browser, tmp_path):
    """Every lab, the student copies and the masters, opens unmodified in JupyterLab."""
    venv = student_venv()
    labs = tmp_path / "labs"
    labs.mkdir()
    notebooks = {}
    for path in [
        *sorted((ROOT / "exercises").glob("*.ipynb")),
        *sorted((ROOT / "exercises" / "student").glob("*.ipynb")),
    ]:
        name = ("student-" if path.parent.name == "student" else "master-") + path.name
        shutil.copyfile(path, labs / name)
        notebooks[name] = path.read_bytes()
    # A lab as a hub on another Python 3.11 release sees it: the version JupyterLab compares with
    # its kernel's differs. The course's server extension (osmcourse/student/jupyter_server.py,
    # switched on by `make student-env`) serves it with this Python's; without it this copy
    # opens modified.
    other = json.loads(notebooks["student-" + LAB].decode("utf-8"))
    assert other["metadata"]["language_info"]["version"].startswith("3.11.")
    other["metadata"]["language_info"]["version"] = "3.11.0"
    notebooks["other-python-" + LAB] = content = (
        json.dumps(other, indent=1, ensure_ascii=False) + "\n"
    ).encode("utf-8")
    (labs / ("other-python-" + LAB)).write_bytes(content)
    lab = JupyterLab(
        [str(venv / "bin" / "jupyter"), "lab"], home=tmp_path / "home", cwd=tmp_path, root=labs
    )
    try:
        results = {name: open_and_close_untouched(browser, lab, name) for name in notebooks}
    finally:
        lab.stop()
    opened_modified = {name: result for name, result in results.items() if result != (False, "")}
    assert not opened_modified, opened_modified
    changed = [name for name, content in notebooks.items() if (labs / name).read_bytes() != content]
    assert not changed, changed


def start_here_commands() -> list[str]:
    """The shell commands of the "Start here" page's local set-up, in order."""
    page = (ROOT / "chapters" / "start-here.md").read_text(encoding="utf-8")
    block = re.search(r"Your own computer\n.*?```bash\n(.*?)```", page, re.S)
    assert block, "start-here.md has no bash block under 'Your own computer'"
    return [line.strip() for line in block[1].splitlines() if line.strip()]


def copy_of_the_repository(folder: Path) -> Path:
    """The repository's files as they are now (tracked, or new and not ignored): a fresh clone
    of what is about to be committed, without .venv, builds or caches."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def test_the_start_here_commands_give_a_working_jupyterlab(browser, tmp_path):
    """The page's commands, run as written in a copy of the repository (pip from the registry)."""
    commands = start_here_commands()
    assert commands[-1] == "jupyter lab exercises/student/", commands
    course = copy_of_the_repository(tmp_path / "course")
    # Everything before the last command sets the environment up: one shell, with Python 3.11
    # first on the PATH as the page asks. pip check: nothing missing or in conflict.
    path = f"{Path(sys.base_prefix) / 'bin'}:{os.environ['PATH']}"
    env = {**os.environ, "PATH": path}
    env.pop("VIRTUAL_ENV", None)
    installed = subprocess.run(
        ["bash", "-c", " && ".join([*commands[:-1], "pip check"])],
        cwd=course,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    venv = course / ".venv"
    # A fresh install of requirements.txt is exactly its pins: nothing left to chance.
    from test_environments import canonical, pins

    frozen = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {
        canonical(line.split("==")[0]): line.split("==")[1] for line in frozen if "==" in line
    } == pins(course / "requirements.txt")
    # The last command as written, in a shell that has activated the venv as the page does;
    # the test adds only the port, the token and --no-browser.
    activate = next(c for c in commands[:-1] if "activate" in c).split("&&")[-1].strip()
    lab = JupyterLab(
        ["bash", "-c", f'{activate} && exec {commands[-1]} "$@"', "bash"],
        home=tmp_path / "home",
        cwd=course,
    )
    try:
        assert kernel_python(lab).startswith(str(venv)), kernel_python(lab)
        work_through_a_lab(
            browser, lab, course / "exercises" / "student" / LAB, course / "exercises" / LAB
        )
    finally:
        lab.stop()
