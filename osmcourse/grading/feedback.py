"""One feedback page per student, to hand back: light, offline HTML that prints well.

Each page has the score, every task's verdict and hint, the problems running the notebook (with
the error messages), and the written answers with the instructor's marks and comments once
given. Everything that comes from a submission is HTML-escaped, with control characters and
noncharacters shown as U+FFFD (and names, ids and the file name with every invisible or
direction-changing character written as an escape, ``\\u202e``); the page has no scripts and
loads nothing (its Content-Security-Policy forbids it), so it can be mailed or uploaded as is.
The remarks meant for the instructor (copies, untouched notebooks) are not on it.
"""

from __future__ import annotations

import html


from osmcourse.grading.report import html_text, number, printable, terminal_text

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e3e3e3; }
.score { font-size: 1.2rem; font-weight: bold; } .answer { white-space: pre-wrap; background: #f4f4f4; padding: .5rem; border-left: 3px solid #888; }
.note { color: #444; }
"""

_STATUS = {
    "no submission": "No submission was found for you for this lab (or the file could not be read).",
    "not a notebook": "The file handed in is not a notebook that could be read, so nothing was graded.",
    "not a lab": "The notebook handed in is not one of the course's labs, so nothing was graded.",
    "wrong lab": "The notebook handed in is another lab than the one set, so nothing was graded.",
    "empty folder": "The folder handed in holds no notebook, so nothing was graded.",
    "timed out": "Your notebook did not finish within the time limit; the answers it had computed were graded.",
    "limit reached": "Your notebook went past a limit (memory, processes, file size or time) while it ran.",
}


def _text(value: object) -> str:
    """Free text from a submission (answers, messages): escaped, with no control character."""
    return html_text(value)


def _name(value: object) -> str:
    """A name, an id or a file name: every character that is not printable shown as an escape."""
    return html.escape(terminal_text(printable(str(value))), quote=True)


def feedback_html(entry) -> str:  # noqa: ANN001 - an Entry (imported lazily to avoid a cycle)
    """The feedback page of one gradebook entry."""
    who = terminal_text(entry.student) + (f" ({terminal_text(entry.name)})" if entry.name else "")
    title = f"Feedback: {entry.lab_title or entry.lab or 'lab'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(title)} · {_text(who)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_text(title)}</h1>",
        f"<p>Student: {_text(who)}</p>",
    ]
    if entry.file:
        parts.append(f'<p class="note">File graded: <code>{_name(entry.file)}</code></p>')
    parts.append(f'<p class="score">Score: {_score(entry)}</p>')
    if entry.unmarked and entry.handed_in:
        parts.append(
            '<p class="note">Your written answers are still being marked: the score counts '
            "the marks given so far.</p>"
        )
    statuses = [_STATUS[s] for s in entry.status.split("; ") if s in _STATUS]
    parts += [f"<p>{_text(s)}</p>" for s in statuses]

    if entry.tasks:
        parts += [
            "<h2>Tasks</h2>",
            "<table>",
            "<thead><tr><th>Task</th><th>Points</th><th>Verdict and hint</th></tr></thead>",
            "<tbody>",
        ]
        for task in entry.tasks:
            parts.append(
                f"<tr><td>{_text(task.question)}</td><td>{number(task.score)} / {number(task.max_score)}</td>"
                f"<td>{_text(task.feedback)}</td></tr>"
            )
        parts += ["</tbody>", "</table>"]

    if entry.handed_in:
        parts.append("<h2>Running your notebook</h2>")
        problems = list(entry.problems) + list(entry.errors)
        if problems:
            parts.append("<ul>" + "".join(f"<li>{_text(p)}</li>" for p in problems) + "</ul>")
        elif entry.tasks:
            parts.append("<p>Your notebook ran from top to bottom without errors.</p>")

    if entry.written and entry.handed_in:
        parts.append("<h2>Written answers</h2>")
        for answer in entry.written:
            mark = (
                "not marked yet"
                if answer.points is None
                else f"{number(answer.points)} / {number(answer.max_points)}"
            )
            parts.append(f"<h3>{_text(answer.question)}: {_text(answer.prompt)}</h3>")
            parts.append(
                f'<div class="answer">{_text(answer.answer) if answer.answer else "<em>No answer.</em>"}</div>'
            )
            parts.append(f"<p>Points: {_text(mark)}</p>")
            if answer.comment:
                parts.append(f"<p>Comment: {_text(answer.comment)}</p>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _score(entry) -> str:  # noqa: ANN001
    if not entry.maximum:
        return f"{number(entry.total)} points"
    return f"{number(entry.total)} / {number(entry.maximum)} ({entry.total / entry.maximum:.0%})"
