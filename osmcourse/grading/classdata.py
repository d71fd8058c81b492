"""What the class report, the similarity check, the LMS files and the shards need beyond the
gradebook, and the hooks that ``grade`` and ``merge`` call.

The gradebook's entries (``gradebook.json``) hold scores, verdicts and remarks, not what each
student answered nor the shape of their code. This module keeps both in ``class.json`` beside
the gradebook, per submission file: each task's answer as short text (for the class report's
most common wrong answers) and the winnowed fingerprints of the student's own code
(:mod:`.similarity`; hashes only, never the code). It also keeps the students' LMS ids from
the roster, the LMS layouts asked for and, for a shard, its number. ``merge`` reads it back,
so every file can be written again, from one folder or from the shards of a split.

It is the instructor's file: the answers in it are every student's.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osmcourse.grading import similarity
from osmcourse.grading.remarks import ALIKE_BY_DESIGN, RemarkKind, any_of
from osmcourse.grading.report import printable, write_atomically

CLASS_FILE = "class.json"
VERSION = 1
MAX_ANSWER_CHARS = 80


@dataclass
class ClassData:
    """Everything in ``class.json``."""

    answers: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> task -> answer text
    prints: dict[str, list[int]] = field(default_factory=dict)  # file -> fingerprints of own code
    lms_ids: dict[str, dict[str, str]] = field(default_factory=dict)  # student id -> LMS ids
    lms: list[str] = field(default_factory=list)  # layouts to write: "canvas", "moodle"
    canvas_ids: dict[str, str] = field(default_factory=dict)  # lab -> Canvas assignment id
    shard: tuple[int, int] | None = None

    def to_json(self) -> str:
        data = {
            "version": VERSION,
            "shard": list(self.shard) if self.shard else None,
            "lms": sorted(self.lms),
            "canvas_ids": self.canvas_ids,
            "lms_ids": self.lms_ids,
            "answers": self.answers,
            "prints": {f: [format(h, "016x") for h in v] for f, v in self.prints.items()},
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ClassData:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        shard = data.get("shard")
        return cls(
            answers={
                str(f): {str(t): str(a) for t, a in v.items()} for f, v in data["answers"].items()
            },
            prints={str(f): [int(h, 16) for h in v] for f, v in data["prints"].items()},
            lms_ids={
                str(s): {str(k): str(x) for k, x in v.items()} for s, v in data["lms_ids"].items()
            },
            lms=[str(x) for x in data.get("lms", [])],
            canvas_ids={str(k): str(v) for k, v in data.get("canvas_ids", {}).items()},
            shard=(int(shard[0]), int(shard[1])) if shard else None,
        )

    def update(self, other: ClassData) -> None:
        """Fold in another folder's data (a regrade or another shard): its records win."""
        self.answers.update(other.answers)
        self.prints.update(other.prints)
        for student, ids in other.lms_ids.items():
            self.lms_ids.setdefault(student, ids)
        self.lms = sorted(set(self.lms) | set(other.lms))
        for lab, ident in other.canvas_ids.items():
            self.canvas_ids.setdefault(lab, ident)


def save(data: ClassData, folder: Path) -> Path:
    path = folder / CLASS_FILE
    write_atomically(path, printable(data.to_json()).encode("utf-8"))
    return path


def load(folder: Path) -> ClassData:
    """The folder's ``class.json`` (empty data for a folder written before it existed).

    Raises:
        ValueError: the file is damaged or of another version.
    """
    path = folder / CLASS_FILE
    if not path.is_file():
        return ClassData()
    try:
        return ClassData.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ValueError(f"{path} cannot be read ({error})") from None


class AnswerText(str):
    """An answer already made short text (as the grading journal keeps it): taken as it is."""


def answer_text(value: Any) -> str:
    """A student's answer as short one-line text, to group equal wrong answers."""
    if isinstance(value, AnswerText):
        return str(value)
    if isinstance(value, bool) or value is None:
        text = repr(value)
    elif isinstance(value, float):
        text = format(value, ".6g")
    elif isinstance(value, (int, str)):
        text = repr(value)
    else:
        try:
            text = repr(value)
        except Exception as error:  # noqa: BLE001 - an odd object is named, never fatal
            text = f"<{type(error).__name__}>"
    text = " ".join(printable(text).split())
    return text if len(text) <= MAX_ANSWER_CHARS else text[: MAX_ANSWER_CHARS - 1] + "…"


def collect(submissions: list[Any], masters: dict[str, Any]) -> ClassData:
    """Answers and code fingerprints of every graded submission (the baseline removed from its
    code: the student copy of its lab, made from the master, and the master's own code)."""
    from osmcourse.student import make_student_copy

    # The code every student starts from (the student copy) and the solution the lab leads to
    # (the master's code) are nobody's own: two students writing the expected lines are not alike.
    baselines = {
        lab: similarity.baseline(make_student_copy(master, "")) | similarity.baseline(master)
        for lab, master in masters.items()
    }
    data = ClassData()
    for submission in submissions:
        name = printable(str(submission.path))
        answers = getattr(submission, "answers", None) or {}
        if answers:
            data.answers[name] = {
                str(task): answer_text(value) for task, value in sorted(answers.items())
            }
        if submission.notebook is not None and submission.lab:
            try:
                data.prints[name] = similarity.fingerprints(
                    submission.notebook, baselines.get(submission.lab, set())
                )
            except Exception:  # noqa: BLE001 - one odd notebook only loses its comparison
                continue
    return data


# --- Similarity in the gradebook's remarks ---------------------------------------------


def _comparable(entry: Any) -> bool:
    from osmcourse.grading.entries import NOT_GRADED

    return (
        entry.handed_in
        and entry.status not in NOT_GRADED
        and not any_of(entry.notes, ALIKE_BY_DESIGN)
    )


def similar_pairs(entries: list[Any], data: ClassData) -> list[similarity.Pair]:
    """Pairs of entries of one lab whose own code is similar, identical copies left out
    (the gradebook names those already)."""
    pairs: list[similarity.Pair] = []
    by_lab: dict[str, dict[str, list[int]]] = {}
    identical: set[frozenset[str]] = set()
    by_print: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        if not _comparable(entry) or entry.file not in data.prints:
            continue
        by_lab.setdefault(entry.lab, {})[entry.key] = data.prints[entry.file]
        for same in (("d", entry.digest), ("f", entry.fingerprint)):
            if same[1]:
                by_print.setdefault(same, []).append(entry.key)
    for keys in by_print.values():
        identical.update(frozenset((a, b)) for i, a in enumerate(keys) for b in keys[i + 1 :])
    for lab in sorted(by_lab):
        pairs.extend(similarity.similar_pairs(by_lab[lab], skip=identical))
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs


def annotate(entries: list[Any], data: ClassData) -> list[similarity.Pair]:
    """Write "similar to X (NN %)" into the entries' notes (earlier such notes replaced)."""
    pairs = similar_pairs(entries, data)
    notes = similarity.notes(pairs)
    for entry in entries:
        entry.notes = [n for n in entry.notes if n.kind is not RemarkKind.SIMILAR]
        entry.notes.extend(notes.get(entry.key, []))
    return pairs


# --- Hooks for the command line ----------------------------------------------------------
# ``args`` below are the options of ``grade`` or ``merge`` (``commands.GradeOptions``,
# ``commands.MergeOptions``), read by the command line's names.


def add_grade_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shard",
        default=None,
        metavar="K/N",
        help="grade only shard K of N (a stable share by a hash of each submission's path); "
        "combine the N output folders with `merge OUT --shards DIR...`",
    )
    _add_lms_options(parser)


def add_merge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shards",
        nargs="+",
        type=Path,
        default=[],
        metavar="DIR",
        help="the output folders of `grade --shard K/N` (all N): combine them into FOLDER",
    )
    parser.add_argument(
        "--lms-roster",
        type=Path,
        default=None,
        metavar="ROSTER",
        help="read the students' LMS ids again from this roster (grade reads them from --roster)",
    )
    _add_lms_options(parser)


def _add_lms_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lms",
        nargs="+",
        choices=("canvas", "moodle"),
        default=[],
        help="also write the gradebook in this LMS's import layout (gradebook-canvas.csv, "
        "gradebook-moodle.csv); LMS ids come from the roster",
    )
    parser.add_argument(
        "--canvas-assignment",
        nargs="+",
        default=[],
        metavar="LAB=ID",
        help="the Canvas assignment id of a lab (without it Canvas makes a new assignment)",
    )


def _options(args: Any, data: ClassData) -> None:
    from osmcourse.grading import lms

    data.lms = sorted(set(data.lms) | set(getattr(args, "lms", []) or []))
    data.canvas_ids.update(canvas_assignments(args))
    roster = getattr(args, "lms_roster", None) or getattr(args, "roster", None)
    if roster is not None:
        data.lms_ids.update(lms.read_lms_ids(roster))


def canvas_assignments(args: Any) -> dict[str, str]:
    """``--canvas-assignment LAB=ID`` as a mapping.

    Raises:
        ValueError: an item that is not LAB=ID.
    """
    result = {}
    for item in getattr(args, "canvas_assignment", []) or []:
        lab, sep, ident = item.partition("=")
        if not sep or not lab.strip() or not ident.strip():
            raise ValueError(f"--canvas-assignment takes LAB=ID, not {item!r}")
        result[lab.strip()] = ident.strip()
    return result


def grade_paths(args: Any) -> list[Path]:
    """What ``grade`` grades: every submission given, or with ``--shard K/N`` its share.

    Raises:
        ValueError: a bad ``--shard``.
        FileNotFoundError: a path given does not exist.
    """
    from osmcourse.grading import shards

    canvas_assignments(args)  # a mistyped option fails before anything is graded
    if getattr(args, "shard", None) is None:
        return list(args.submissions)
    k, n = shards.parse(args.shard)
    return shards.select(list(args.submissions), k, n)


def before_grade_outputs(
    args: Any,
    submissions: list[Any],
    entries: list[Any],
    masters: dict[str, Any],
    folder: Path,
) -> ClassData:
    """After grading, before the gradebook is written: keep the class data, add the remarks."""
    from osmcourse.grading import shards

    data = collect(submissions, masters)
    _options(args, data)
    if getattr(args, "shard", None) is not None:
        data.shard = shards.parse(args.shard)
    annotate(entries, data)
    save(data, folder)
    return data


def merge_entries(args: Any) -> list[Any] | None:
    """With ``--shards``: the combined entries of the shards (their per-question CSVs and
    class data are combined into FOLDER too); otherwise ``None``.

    Raises:
        ShardError (a ValueError): folders that are not the N shards of one split.
    """
    from osmcourse.grading import shards
    from osmcourse.grading.entries import assign_keys
    from osmcourse.grading.state import load_state

    folders: list[Path] = list(getattr(args, "shards", []) or [])
    if not folders:
        return None
    out: Path = args.folder
    if any(out.resolve() == folder.resolve() for folder in folders):
        raise shards.ShardError(f"{out} is one of the shards: merge them into a new folder")
    datas = {folder: load(folder) for folder in folders}
    shards.check_complete({folder: data.shard for folder, data in datas.items()})
    entries: list[Any] = []
    seen_files: dict[str, Path] = {}
    for folder in folders:
        for entry in load_state(folder):
            if entry.file and entry.file in seen_files:
                raise shards.ShardError(
                    f"{entry.file} was graded in both {seen_files[entry.file]} and {folder}"
                )
            if entry.file:
                seen_files[entry.file] = folder
            entries.append(entry)
    # A roster student without a submission in one shard may have one in another: their
    # "no submission" row stays only if no shard has their work (once, not once per shard).
    handed_in = {e.student for e in entries if e.handed_in and e.on_roster}
    combined, missing = [], set()
    for entry in entries:
        if entry.handed_in:
            combined.append(entry)
        elif entry.student not in handed_in and (entry.student, entry.lab) not in missing:
            missing.add((entry.student, entry.lab))
            combined.append(entry)
    out.mkdir(parents=True, exist_ok=True)
    merged = ClassData()
    for data in datas.values():
        merged.update(data)
    save(merged, out)
    shards.merge_questions(folders, out / "questions.csv")
    return assign_keys(combined)


def before_merge_outputs(args: Any, entries: list[Any], folder: Path) -> ClassData:
    """Before ``merge`` writes the gradebook again: fold in the regraded folders' class data,
    refresh the similarity remarks (keys may have changed)."""
    data = load(folder)
    for other in getattr(args, "regraded", []) or []:
        data.update(load(other))
    _options(args, data)
    annotate(entries, data)
    save(data, folder)
    return data


def after_outputs(entries: list[Any], data: ClassData, folder: Path) -> list[Path]:
    """The files drawn from the gradebook and the class data: one class report per lab, and
    the LMS layouts asked for."""
    from osmcourse.grading import classreport, lms

    if data.shard is not None:
        # A shard's files would hold part of the class: an LMS import of them would be wrong.
        k, n = data.shard
        print(
            f"shard {k}/{n}: the class report and the LMS files are written by `merge OUT --shards ...`"
        )
        return []
    written = classreport.write_reports(entries, data, folder)
    written += lms.write_layouts(entries, data, folder)
    for warning in lms.warnings(entries, data):
        print(f"LMS files: {warning}")
    pairs = similar_pairs(entries, data)
    if pairs:
        print(
            "similar code, to read (see the class report): "
            + ", ".join(f"{p.first} and {p.second} ({p.percent} %)" for p in pairs)
        )
    return written
