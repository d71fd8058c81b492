"""The seam between the reading checks and an LMS: the registry of formats drives the command
line, so a new format is one module and one registry line."""

from __future__ import annotations

import pytest

from conftest import ROOT
from osmcourse.__main__ import main
from osmcourse.bookconfig import QUIZZES_FOLDER, find_book_root
from osmcourse.quizzes import QUIZ_DIR
from osmcourse.quizzes.export import DEFAULT_FORMAT, FORMATS, QuizFormat, export


def test_the_quiz_folder_is_found_under_the_book_root():
    assert find_book_root() == ROOT
    assert QUIZ_DIR == ROOT / QUIZZES_FOLDER
    assert sorted(QUIZ_DIR.glob("*.yml"))


def test_the_command_line_offers_the_registrys_formats(capsys):
    with pytest.raises(SystemExit):
        main(["quiz-export", "--help"])
    usage = capsys.readouterr().out
    assert "{" + ",".join(FORMATS) + "}" in usage
    assert f"{DEFAULT_FORMAT}: {FORMATS[DEFAULT_FORMAT].description} (default)" in usage


def test_a_registered_format_needs_no_other_edit(tmp_path, monkeypatch):
    def names(quizzes):
        return "\n".join(quiz.name for quiz in quizzes).encode("utf-8")

    monkeypatch.setitem(FORMATS, "names", QuizFormat("names", "a list of chapters", names))
    out = tmp_path / "chapters.txt"
    assert main(["quiz-export", str(out), "--format", "names", "--chapter", "lyssna"]) == 0
    assert out.read_text(encoding="utf-8") == "lyssna"
    assert export([], "names") == b""
