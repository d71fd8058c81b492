"""Grading in shards: three `grade --shard K/3` runs in separate folders, combined by `merge
--shards`, give byte for byte the files one run gives (gradebook, LMS layouts, class report,
feedback pages, per-question CSV); and the similar copy is named in the remarks."""

from __future__ import annotations

import pytest

from osmcourse.__main__ import main
from osmcourse.grading.journal import JOURNAL_FOLDER
from osmcourse.grading.report import read_csv

from test_lms import HONEST_A, HONEST_B, RENAMED_SWAPS, _filled

pytestmark = pytest.mark.slow  # grades a class of five, four times

ROSTER = (
    "id,name,pattern,canvas_id,sis_user_id,email\n"
    'ada,"Lovelace, Ada",,101,S1,ada@example.org\nbob,Bob,,102,S2,bob@example.org\n'
    "cy,Cy,,103,S3,cy@example.org\ndee,=Dee,,104,S4,dee@example.org\ngus,Gus,,107,S7,gus@example.org\n"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    import nbformat

    base = tmp_path_factory.mktemp("shards")
    inbox = base / "inbox"
    inbox.mkdir()
    wrong = {1: "q_over_p = 3"}  # two students who answered one task, wrongly, the same way
    for name, notebook in {
        "ada": _filled(HONEST_A),
        "bob": _filled(RENAMED_SWAPS),
        "cy": _filled(HONEST_B),
        "dee": _filled(wrong),
        "eve": _filled(wrong),  # not on the roster
    }.items():
        nbformat.write(notebook, inbox / f"{name}.ipynb")
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    common = [
        "--lab",
        "bass",
        "--roster",
        str(roster),
        "--lms",
        "canvas",
        "moodle",
        "--canvas-assignment",
        "bass=555",
        "--timeout",
        "60",
        "--jobs",
        "2",
    ]
    assert main(["grade", str(inbox), "--out", str(base / "one"), *common]) == 0
    for k in (1, 2, 3):
        assert (
            main(
                [
                    "grade",
                    str(inbox),
                    "--out",
                    str(base / f"shard{k}"),
                    "--shard",
                    f"{k}/3",
                    *common,
                ]
            )
            == 0
        )
    assert (
        main(
            [
                "merge",
                str(base / "merged"),
                "--shards",
                *(str(base / f"shard{k}") for k in (3, 1, 2)),
            ]
        )
        == 0
    )
    return base


def _files(folder):
    """The files of an output folder, without the grading journal (the run's working state for
    resuming, which a merge has no reason to copy)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] != JOURNAL_FOLDER
    )


def test_three_shards_merge_into_exactly_the_one_run_gradebook(runs):
    one, merged = runs / "one", runs / "merged"
    names = _files(one)
    assert {
        "gradebook.csv",
        "gradebook.xlsx",
        "gradebook.json",
        "gradebook-canvas.csv",
        "gradebook-moodle.csv",
        "class-report-bass.html",
        "questions.csv",
        "class.json",
    } <= set(names)
    assert _files(merged) == names
    different = [
        name for name in names if (one / name).read_bytes() != (merged / name).read_bytes()
    ]
    assert different == []
    # The shards really split the class: each graded only its share, and every shard a share
    # (by the hash of the path: ada to 1; bob, cy and dee to 2; eve to 3).
    graded = {
        k: sorted(r["student"] for r in read_csv(runs / f"shard{k}" / "gradebook.csv") if r["file"])
        for k in (1, 2, 3)
    }
    assert graded == {1: ["ada"], 2: ["bob", "cy", "dee"], 3: ["eve"]}


def test_the_renamed_copy_is_named_in_the_remarks_not_the_honest_solutions(runs):
    rows = {row["student"]: row for row in read_csv(runs / "one" / "gradebook.csv")}
    assert (
        "similar to bob (" in rows["ada"]["remarks"]
        and "similar to ada (" in rows["bob"]["remarks"]
    )
    assert "similar to" not in rows["cy"]["remarks"]
    report = (runs / "one" / "class-report-bass.html").read_text(encoding="utf-8")
    assert "similar to bob (" in report
    assert "<code>3</code>" in report  # the wrong answer two students gave, grouped


def test_merge_refuses_an_incomplete_set_of_shards(runs, capsys):
    assert (
        main(
            ["merge", str(runs / "partial"), "--shards", str(runs / "shard1"), str(runs / "shard3")]
        )
        == 2
    )
    assert "2/3 missing" in capsys.readouterr().err
    assert main(["merge", str(runs / "partial2"), "--shards", str(runs / "one")]) == 2
    assert "not graded with --shard" in capsys.readouterr().err
    shard_folders = [str(runs / f"shard{k}") for k in (1, 2, 3)]
    assert main(["merge", shard_folders[0], "--shards", *shard_folders]) == 2
    assert "is one of the shards" in capsys.readouterr().err


def test_merge_with_lms_and_no_shards_writes_the_lms_files_of_a_graded_folder(runs):
    """A class graded without --lms gets its LMS files from a later `merge --lms`: the same bytes
    a `grade --lms` run writes."""
    from osmcourse.grading.lms import CANVAS_FILE, MOODLE_FILE

    plain = runs / "plain"
    roster = str(runs / "roster.csv")
    options = ["--lab", "bass", "--roster", roster, "--timeout", "60", "--jobs", "2"]
    assert main(["grade", str(runs / "inbox"), "--out", str(plain), *options]) == 0
    assert not (plain / CANVAS_FILE).exists() and not (plain / MOODLE_FILE).exists()
    assert (
        main(
            [
                "merge",
                str(plain),
                "--lms",
                "canvas",
                "moodle",
                "--lms-roster",
                roster,
                "--canvas-assignment",
                "bass=555",
            ]
        )
        == 0
    )
    for name in (CANVAS_FILE, MOODLE_FILE):
        assert (plain / name).read_bytes() == (runs / "one" / name).read_bytes(), name
