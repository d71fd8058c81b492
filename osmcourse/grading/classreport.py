"""The class report: one offline HTML page per graded lab, for the instructor only.

``class-report-LAB.html`` in the grader's output folder shows how the class did: the
distribution of scores on the automatically graded tasks, each task's success rate, item
difficulty and discrimination, its most common wrong answers (grouped by value, with the hint
the students saw), and the submissions that could not be graded or are worth a look (copies,
similar code). Figures are inline SVG with a text alternative and the same numbers in a table;
nothing is loaded from anywhere. Every student's answers are on it: it is not for students.

Item statistics, as in classical test theory:

* *difficulty* is the proportion of graded submissions with full marks on the task (higher is
  easier);
* *discrimination* is the point-biserial correlation between full marks on the task (0 or 1)
  and the score on the *other* tasks (the task itself left out, so it does not correlate with
  itself). Near 0 or negative: the task does not separate students who did well elsewhere from
  the others, worth reading again. It is left blank when either side does not vary.
* the *upper-lower index* is the same idea by groups: the success rate among the 27 % of
  submissions with the highest task totals minus that among the 27 % with the lowest (ties at
  a group's edge broken by the student's key; blank under :data:`MIN_FOR_GROUPS` submissions).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

from osmcourse.grading.remarks import LOOK_AT
from osmcourse.grading.report import html_text, write_atomically, without_symbol

TOP_WRONG = 5
BINS = 10
GROUP_SHARE = 0.27  # Kelley's 27 %: the usual size of the upper and lower groups
MIN_FOR_GROUPS = 4


def _graded(entries: list[Any], lab: str) -> list[Any]:
    from osmcourse.grading.entries import NOT_GRADED

    return [e for e in entries if e.lab == lab and e.handed_in and e.status not in NOT_GRADED]


def _unanswered(feedback: str) -> bool:
    return "not answered yet" in feedback or "No variable" in feedback


def task_stats(
    entries: list[Any], lab: str, answers: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Per task: points, success rate, discrimination, unanswered count, common wrong answers."""
    graded = _graded(entries, lab)
    tasks: list[str] = []
    for entry in graded:
        tasks.extend(t.question for t in entry.tasks if t.question not in tasks)
    tasks.sort(key=lambda t: (int(t), "") if t.isdigit() else (10**6, t))
    ranked = sorted(graded, key=lambda e: (sum(t.score for t in e.tasks), e.key))
    size = max(1, round(GROUP_SHARE * len(ranked)))
    lower, upper = ranked[:size], ranked[-size:]
    stats = []
    for task in tasks:
        full, rest, wrong, unanswered, points = [], [], Counter(), 0, 0.0
        hints: dict[str, Counter] = {}
        for entry in graded:
            result = next((t for t in entry.tasks if t.question == task), None)
            if result is None:
                continue
            points = max(points, result.max_score)
            right = result.max_score > 0 and result.score >= result.max_score
            full.append(1.0 if right else 0.0)
            rest.append(sum(t.score for t in entry.tasks if t.question != task))
            if right:
                continue
            if _unanswered(result.feedback):
                unanswered += 1
                continue
            value = answers.get(entry.file, {}).get(task, "(value not recorded)")
            wrong[value] += 1
            hints.setdefault(value, Counter())[without_symbol(result.feedback)] += 1
        common = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))[:TOP_WRONG]
        stats.append(
            {
                "task": task,
                "points": points,
                "n": len(full),
                "difficulty": sum(full) / len(full) if full else None,
                "discrimination": point_biserial(full, rest),
                "upper_lower": (_rate(upper, task) - _rate(lower, task))
                if len(ranked) >= MIN_FOR_GROUPS
                else None,
                "unanswered": unanswered,
                "wrong": sum(wrong.values()),
                "common": [
                    (value, count, hints[value].most_common(1)[0][0]) for value, count in common
                ],
            }
        )
    return stats


def _rate(entries: list[Any], task: str) -> float:
    """The share of ``entries`` with full marks on ``task``."""
    full = [
        any(t.question == task and t.max_score > 0 and t.score >= t.max_score for t in e.tasks)
        for e in entries
    ]
    return sum(full) / len(full) if full else 0.0


def point_biserial(binary: list[float], scores: list[float]) -> float | None:
    """The point-biserial correlation (Pearson's r with a 0/1 variable); ``None`` if either
    side is constant or there are fewer than three values."""
    n = len(binary)
    if n < 3 or n != len(scores):
        return None
    mean_b, mean_s = sum(binary) / n, sum(scores) / n
    cov = sum((b - mean_b) * (s - mean_s) for b, s in zip(binary, scores))
    var_b = sum((b - mean_b) ** 2 for b in binary)
    var_s = sum((s - mean_s) ** 2 for s in scores)
    if var_b == 0 or var_s == 0:
        return None
    return cov / math.sqrt(var_b * var_s)


def distribution(entries: list[Any], lab: str) -> list[int]:
    """How many graded submissions scored in each tenth of the task points (0–10 %, …, 90–100 %)."""
    counts = [0] * BINS
    for entry in _graded(entries, lab):
        if not entry.task_max:
            continue
        share = sum(t.score for t in entry.tasks) / entry.task_max
        counts[min(BINS - 1, max(0, int(round(share * BINS, 9))))] += (
            1  # 0.7 * 10 is 7.000000000000001
        )
    return counts


# --- HTML --------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.45}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}
caption{text-align:left;font-weight:bold;padding:.25rem 0}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f0f0f0;padding:0 .2rem}figure{margin:1rem 0}figcaption{font-size:.95rem}
.note{color:#333;font-size:.95rem}
"""


def _e(value: object) -> str:
    """Text from a submission (names, answers, hints) made safe to write: as the feedback pages
    do, with no lone surrogate (which UTF-8 cannot hold) and no control character."""
    return html_text(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _histogram_svg(counts: list[int], lab: str) -> str:
    width, height, left, bottom = 520, 220, 40, 40
    top = max(counts) or 1
    bar = (width - left - 10) / len(counts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="hist-title-{lab} hist-desc-{lab}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="hist-title-{lab}">Score distribution</title>',
        f'<desc id="hist-desc-{lab}">Bar chart of how many submissions scored in each tenth of the task '
        f"points: "
        + "; ".join(f"{10 * i} to {10 * (i + 1)} %: {c}" for i, c in enumerate(counts))
        + ".</desc>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#333"/>',
    ]
    for i, count in enumerate(counts):
        h = (height - bottom - 20) * count / top
        x = left + i * bar
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - bottom - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" '
            'fill="#1f5fa8"/>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom - h - 4:.1f}" font-size="12" '
                f'text-anchor="middle" fill="#1a1a1a">{count}</text>'
            )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 15}" font-size="11" text-anchor="middle" '
            f'fill="#1a1a1a">{10 * i}–{10 * (i + 1)}</text>'
        )
    parts.append(
        f'<text x="{(width + left) / 2:.0f}" y="{height - 5}" font-size="12" text-anchor="middle" '
        'fill="#1a1a1a">share of the task points (%)</text></svg>'
    )
    return "".join(parts)


def _success_svg(stats: list[dict[str, Any]], lab: str) -> str:
    row, left, width = 26, 70, 520
    height = row * len(stats) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="succ-title-{lab} succ-desc-{lab}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="succ-title-{lab}">Success rate per task</title>',
        f'<desc id="succ-desc-{lab}">Horizontal bars, one per task, the share of graded submissions with '
        "full marks: "
        + "; ".join(f"task {s['task']}: {_pct(s['difficulty'])}" for s in stats)
        + ".</desc>",
    ]
    for i, s in enumerate(stats):
        y = 10 + i * row
        w = (width - left - 60) * (s["difficulty"] or 0.0)
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1a1a1a">'
            f"task {_e(s['task'])}</text>"
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 8}" fill="#1f5fa8"/>'
        )
        parts.append(
            f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#1a1a1a">'
            f"{_pct(s['difficulty'])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def report_html(entries: list[Any], lab: str, data: Any) -> str:
    """The class report of one lab as a self-contained HTML page."""
    from osmcourse.grading.build import remarks
    from osmcourse.grading.entries import NO_SUBMISSION, NOT_GRADED
    from osmcourse.grading.similarity import THRESHOLD

    mine = [e for e in entries if e.lab == lab]
    title = next((e.lab_title for e in mine if e.lab_title), lab)
    graded = _graded(entries, lab)
    stats = task_stats(entries, lab, data.answers)
    counts = distribution(entries, lab)
    notes = remarks(entries)
    missing = [e for e in mine if e.status == NO_SUBMISSION]
    not_gradable = [
        e
        for e in mine
        if e.handed_in and (e.status in NOT_GRADED or e.status != "ok" or e.problems)
    ]
    flagged = [(e, [n.text for n in notes.get(e.key, []) if n.kind in LOOK_AT]) for e in mine]
    flagged = [(e, n) for e, n in flagged if n]
    shares = [sum(t.score for t in e.tasks) / e.task_max for e in graded if e.task_max]
    mean = sum(shares) / len(shares) if shares else None
    median = sorted(shares)[len(shares) // 2] if shares else None

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Class report: {_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>Class report: {_e(title)}</h1>",
        '<p class="note">For the instructor only: this page shows every student\'s answers and remarks. '
        "Do not hand it out.</p></header><main>",
        "<h2>The class at a glance</h2><ul>",
        f"<li>{len([e for e in mine if e.handed_in])} submissions, {len(graded)} graded, "
        f"{len(missing)} student{'' if len(missing) == 1 else 's'} on the roster without one.</li>",
        f"<li>Mean share of the task points {_pct(mean)}, median {_pct(median)} "
        "(automatically graded tasks only; written answers are marked by hand).</li></ul>",
        "<h2>Score distribution</h2>",
        f"<figure>{_histogram_svg(counts, lab)}<figcaption>Figure 1. How many graded submissions scored in "
        "each tenth of the task points.</figcaption></figure>",
        "<table><caption>Score distribution (the numbers of figure 1)</caption><thead><tr>"
        '<th scope="col">Share of the task points</th><th scope="col">Submissions</th></tr></thead><tbody>',
    ]
    for i, count in enumerate(counts):
        out.append(f'<tr><td>{10 * i}–{10 * (i + 1)} %</td><td class="n">{count}</td></tr>')
    out += ["</tbody></table>", "<h2>Tasks</h2>"]
    if stats:
        out += [
            f"<figure>{_success_svg(stats, lab)}<figcaption>Figure 2. Share of graded submissions with full "
            "marks on each task.</figcaption></figure>",
            "<table><caption>Item statistics: difficulty is the share with full marks; discrimination is "
            "the point-biserial correlation of full marks with the score on the other tasks, or the success "
            "rate of the top 27 % minus that of the bottom 27 %</caption><thead><tr>"
            '<th scope="col">Task</th><th scope="col">Points</th><th scope="col">Graded</th>'
            '<th scope="col">Difficulty (success rate)</th><th scope="col">Discrimination (point-biserial)</th>'
            '<th scope="col">Upper − lower 27 %</th>'
            '<th scope="col">Wrong</th><th scope="col">Not answered</th></tr></thead><tbody>',
        ]
        for s in stats:
            disc = "–" if s["discrimination"] is None else f"{s['discrimination']:.2f}"
            groups = "–" if s["upper_lower"] is None else f"{s['upper_lower']:.2f}"
            out.append(
                f'<tr><th scope="row">Task {_e(s["task"])}</th><td class="n">{s["points"]:g}</td>'
                f'<td class="n">{s["n"]}</td><td class="n">{_pct(s["difficulty"])}</td>'
                f'<td class="n">{disc}</td><td class="n">{groups}</td><td class="n">{s["wrong"]}</td><td class="n">{s["unanswered"]}</td></tr>'
            )
        out.append("</tbody></table><h2>Most common wrong answers</h2>")
        for s in stats:
            out.append(f"<h3>Task {_e(s['task'])}</h3>")
            if not s["common"]:
                out.append("<p>No wrong answers.</p>")
                continue
            out.append(
                f"<table><caption>Task {_e(s['task'])}: the {len(s['common'])} most common wrong answers"
                '</caption><thead><tr><th scope="col">Answer</th><th scope="col">Submissions</th>'
                '<th scope="col">Hint the students saw</th></tr></thead><tbody>'
            )
            for value, count, hint in s["common"]:
                out.append(
                    f'<tr><td><code>{_e(value)}</code></td><td class="n">{count}</td><td>{_e(hint)}</td></tr>'
                )
            out.append("</tbody></table>")
    else:
        out.append("<p>No graded submission.</p>")
    out.append("<h2>Not graded, or not graded in full</h2>")
    if not_gradable:
        out.append(
            "<table><caption>Submissions the grader could not grade in full</caption><thead><tr>"
            '<th scope="col">Student</th><th scope="col">Status</th><th scope="col">What happened</th>'
            "</tr></thead><tbody>"
        )
        for e in not_gradable:
            out.append(
                f"<tr><td>{_e(e.key)}</td><td>{_e(e.status)}</td><td>{_e(' '.join(e.problems))}</td></tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>Every submission was graded in full.</p>")
    out.append("<h2>Worth a look</h2>")
    out.append(
        f'<p class="note">Copies are flagged when identical; "similar to X (NN %)" means that after '
        "renaming every variable and leaving out the code every student starts from and the master's "
        "solution code, the two notebooks' "
        f"own code shares NN % of its fingerprints (listed from {100 * THRESHOLD:.0f} %). It is a pointer "
        "to read both notebooks, not a finding: short tasks leave few ways to write them.</p>"
    )
    if flagged:
        out.append(
            "<table><caption>Submissions with remarks about copies or similar code</caption><thead><tr>"
            '<th scope="col">Student</th><th scope="col">Remarks</th></tr></thead><tbody>'
        )
        for e, items in flagged:
            out.append(f"<tr><td>{_e(e.key)}</td><td>{_e('; '.join(items))}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>Nothing to look at.</p>")
    out.append(
        '</main><footer><p class="note">Written by <code>python -m osmcourse grade</code> '
        "(or <code>merge</code>) from the gradebook in this folder.</p></footer></body></html>"
    )
    return "\n".join(out) + "\n"


def report_file(lab: str) -> str:
    return f"class-report-{lab}.html"


def write_reports(entries: list[Any], data: Any, folder: Path) -> list[Path]:
    """One class report per lab in the gradebook."""
    written = []
    for lab in sorted({e.lab for e in entries if e.lab}):
        path = folder / report_file(lab)
        write_atomically(path, report_html(entries, lab, data).encode("utf-8"))
        written.append(path)
    return written
