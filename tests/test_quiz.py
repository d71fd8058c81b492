"""The reading checks: the question files, the directive (HTML, LaTeX, both editions) and the
Moodle export, checked by an independent GIFT parser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from osmcourse.quizzes.gift import escape, to_gift
from osmcourse.quizzes import QUIZ_DIR, Quiz, QuizError, all_quizzes, load_quiz
from osmcourse.text import load_catalogue, load_seed

from conftest import ROOT

READINGS = sorted((ROOT / "chapters" / "readings").glob("*.md"))
QUIZZES = all_quizzes()
GIFT_PARSER = ROOT / "tests" / "browser" / "node_modules" / "gift-pegjs"
TRANSLATION = ROOT / "chapters" / "readings" / "translations" / "003-en.txt"
_QUOTED = re.compile(r"“([^“”]+)”")
_PARAGRAPH = re.compile(r"¶(\d+)")


def _seed_id(quiz: Quiz) -> str:
    catalogue = load_catalogue()
    row = catalogue[catalogue["chapter"] == f"reading-{quiz.name}"]
    assert len(row) == 1, f"no seed for {quiz.name}"
    return str(row["seed_id"].iloc[0])


def _texts(quiz: Quiz) -> list[str]:
    """Every piece of text a reader of the quiz sees."""
    texts = []
    for question in quiz.questions:
        texts += [question.prompt, question.source, question.why, question.hint]
        for choice in question.choices:
            texts += [choice.text, choice.why]
    return [t for t in texts if t]


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").casefold().split())


# --- The question files. ---


def test_every_reading_chapter_ends_with_its_quiz():
    assert {q.name for q in QUIZZES} == {p.stem for p in READINGS}
    for path in READINGS:
        text = path.read_text(encoding="utf-8")
        directive = f"```{{quiz}} quizzes/{path.stem}.yml"
        assert directive in text, path.name
        # Consistently placed: its own section, just before the chapter's references.
        headings = re.findall(r"^## (.+)$", text, flags=re.M)
        assert headings[-2:] == ["Check your reading", "References"], path.name
        assert (
            text.index("## Check your reading")
            < text.index(directive)
            < text.index("## References")
        )


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda q: q.name)
def test_quiz_has_four_to_six_questions_about_its_chapter(quiz):
    assert 4 <= len(quiz.questions) <= 6
    assert quiz.chapter == f"chapters/readings/{quiz.name}"
    assert {q.kind for q in quiz.questions} <= {"choice", "numeric"}
    # Every question says where in the chapter it is answered.
    assert all(q.source for q in quiz.questions)


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda q: q.name)
def test_the_right_answer_is_not_always_in_the_same_place(quiz):
    places = [q.choices.index(q.correct_choice) for q in quiz.questions if q.kind == "choice"]
    assert len(set(places)) >= min(3, len(places)), f"{quiz.name}: right answers at {places}"


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda q: q.name)
def test_paragraph_numbers_cited_exist_in_the_chapters_text(quiz):
    paragraphs = len(load_seed(_seed_id(quiz)).paragraphs)
    for text in _texts(quiz):
        for number in _PARAGRAPH.findall(text):
            assert 1 <= int(number) <= paragraphs, f"{quiz.name}: ¶{number} in {text!r}"
    # Each question's source names a paragraph or a section of the chapter.
    chapter = (ROOT / f"{quiz.chapter}.md").read_text(encoding="utf-8")
    for question in quiz.questions:
        assert _PARAGRAPH.search(question.source) or any(
            _normal(q) in _normal(chapter) for q in _QUOTED.findall(question.source)
        ), question.id


@pytest.mark.parametrize("quiz", QUIZZES, ids=lambda q: q.name)
def test_every_quotation_is_in_the_chapter_or_its_text(quiz):
    """Words in curly quotation marks are quoted: from the chapter, the text or our translation."""
    sources = [
        (ROOT / f"{quiz.chapter}.md").read_text(encoding="utf-8"),
        load_seed(_seed_id(quiz)).text,
    ]
    if quiz.name == "lyssna":
        sources.append(TRANSLATION.read_text(encoding="utf-8"))
    haystack = _normal(" ".join(sources).replace('"', " "))
    missing = [
        q for text in _texts(quiz) for q in _QUOTED.findall(text) if _normal(q) not in haystack
    ]
    assert not missing, f"{quiz.name}: quoted but not found: {missing}"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "quiz.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_QUESTION = """
  - id: q{n}
    source: ¶1
    prompt: Which?
    choices:
      - {{text: A, correct: true, why: Because.}}
      - {{text: B, why: No.}}
      - {{text: C, why: No.}}
"""


def _quiz_text(*extra: str, count: int = 4) -> str:
    return (
        "chapter: chapters/readings/x\nquestions:\n"
        + "".join(GOOD_QUESTION.format(n=n) for n in range(count))
        + "".join(extra)
    )


def test_a_well_formed_file_loads(tmp_path):
    quiz = load_quiz(_write(tmp_path, _quiz_text()))
    assert len(quiz.questions) == 4 and quiz.questions[0].correct_choice.text == "A"


@pytest.mark.parametrize(
    "body, message",
    [
        (_quiz_text(count=3), "4 to 6"),
        (_quiz_text(count=7), "4 to 6"),
        (
            _quiz_text().replace("{text: B, why: No.}", "{text: B, correct: true, why: No.}", 1),
            "exactly one",
        ),
        (_quiz_text().replace("{text: B, why: No.}", "{text: B}", 1), "'why'"),
        (_quiz_text().replace("source: ¶1", "source: ''", 1), "'source'"),
        (_quiz_text().replace("id: q0", "id: Q 0", 1), "'id'"),
        (_quiz_text().replace("id: q1", "id: q0", 1), "repeat"),
        (
            _quiz_text("  - {id: n, source: ¶1, prompt: How many, answer: x, why: W, hint: H}\n"),
            "number",
        ),
        (_quiz_text("  - {id: n, source: ¶1, prompt: How many, answer: 2, why: W}\n"), "'hint'"),
        (
            _quiz_text(
                "  - {id: n, source: ¶1, prompt: How many, answer: 2, tolerance: -1, why: W, hint: H}\n"
            ),
            "negative",
        ),
        ("questions: [\n", "YAML"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(tmp_path, body, message):
    with pytest.raises(QuizError, match=re.escape(message)):
        load_quiz(_write(tmp_path, body))


def test_numeric_answers_accept_within_the_tolerance(tmp_path):
    quiz = load_quiz(
        _write(
            tmp_path,
            _quiz_text(
                "  - {id: n, source: ¶1, prompt: How many, answer: 10, tolerance: 0.5, why: W, hint: H}\n"
            ),
        )
    )
    question = quiz.questions[-1]
    assert question.accepts(10.5) and question.accepts(9.5) and not question.accepts(10.6)
    assert question.answer_text() == "10 (± 0.5)"


# --- The directive, in a small Sphinx project: HTML, LaTeX, both editions. ---


def _sphinx(tmp_path: Path, builder: str, edition: str, small_book) -> Path:
    """Build a one-page project with the quiz (and the edition switch), warnings as errors."""
    source = tmp_path / "src"
    (source / "quizzes").mkdir(parents=True, exist_ok=True)
    shutil.copy(QUIZ_DIR / "lyssna.yml", source / "quizzes" / "lyssna.yml")
    (source / "conf.py").write_text(
        "extensions = ['osmcourse.book.edition', 'osmcourse.book.quiz']\n"
        "project = 'Quiz'\nlatex_documents = [('index', 'quiz.tex', 'Quiz', 'x', 'manual')]\n",
        encoding="utf-8",
    )
    (source / "index.rst").write_text(
        "Quiz\n====\n\nCheck your reading\n------------------\n\n.. quiz:: quizzes/lyssna.yml\n\n"
        "Key\n---\n\n.. quiz-answers:: quizzes/lyssna.yml\n",
        encoding="utf-8",
    )
    # conftest's small_book: Sphinx's test application, warnings as errors, a fresh environment.
    result = small_book(
        source, builder, builddir=tmp_path / f"out-{builder}-{edition}", osm_edition=edition
    )
    assert result.status == 0, (result.error + result.warnings)[-3000:]
    return result.outdir


@pytest.mark.slow
def test_html_is_a_form_with_a_live_region_and_no_visible_answer(tmp_path, small_book):
    page = (_sphinx(tmp_path, "html", "full", small_book) / "index.html").read_text(
        encoding="utf-8"
    )
    quiz = load_quiz(QUIZ_DIR / "lyssna.yml")
    assert page.count("<fieldset>") == len(quiz.questions)
    assert page.count('role="status" aria-live="polite"') == len(quiz.questions)
    assert page.count('type="radio"') == sum(len(q.choices) for q in quiz.questions)
    assert 'inputmode="decimal"' in page
    # Reasons are in the page (no server to ask) but hidden until a check.
    assert re.search(r'<div class="osm-quiz-reasons" hidden>', page)
    # The script and styles come from the book itself, on this page.
    assert re.search(r'<script defer="defer" src="_static/osm-quiz.js', page)
    assert "_static/osm-quiz.css" in page


def _latex_text(tex: str) -> str:
    """LaTeX source as words (Sphinx's hyphen and paragraph-sign macros, typographic quotes)."""
    return _normal(
        tex.replace(r"\sphinxhyphen{}", "-").replace(r"\P{}", "¶").replace(r"\textendash{}", "–")
    )


@pytest.mark.slow
def test_pdf_source_prints_questions_and_answers_only_in_the_instructor_edition(
    tmp_path, small_book
):
    quiz = load_quiz(QUIZ_DIR / "lyssna.yml")
    full = _latex_text(
        (_sphinx(tmp_path, "latex", "full", small_book) / "quiz.tex").read_text(encoding="utf-8")
    )
    student = _latex_text(
        (_sphinx(tmp_path, "latex", "student", small_book) / "quiz.tex").read_text(encoding="utf-8")
    )
    for tex in (full, student):
        # Every question and option is readable in print; a numeric one has a line to write on.
        for question in quiz.questions:
            assert _normal(question.prompt)[:50] in tex, question.id
            for choice in question.choices:
                assert _normal(choice.text)[:50] in tex, choice.text
        assert "answer: \\_" in tex
    # The answers and reasons: in the instructor edition only.
    reasons = [
        _normal((q.correct_choice.why if q.kind == "choice" else q.why).removeprefix("Right. "))[
            :50
        ]
        for q in quiz.questions
    ]
    assert all(reason in full for reason in reasons)
    assert not any(reason in student for reason in reasons)
    assert "{answers}" in full and "{answers}" not in student


# --- The Moodle export (GIFT), checked by gift-pegjs, a maintained GIFT grammar. ---


def _parse_gift(text: str) -> list[dict]:
    if shutil.which("node") is None or not GIFT_PARSER.is_dir():
        pytest.fail("node and gift-pegjs are needed: npm ci --prefix tests/browser")
    script = (
        "const p = require('gift-pegjs'); let s = '';"
        "process.stdin.on('data', d => s += d);"
        "process.stdin.on('end', () => process.stdout.write(JSON.stringify(p.parse(s))));"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=text,
        capture_output=True,
        text=True,
        cwd=GIFT_PARSER.parent.parent,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.mark.slow
def test_gift_export_parses_and_matches_the_question_files():
    parsed = _parse_gift(to_gift(QUIZZES))
    categories = [q for q in parsed if q["type"] == "Category"]
    questions = [q for q in parsed if q["type"] != "Category"]
    assert [c["title"].rsplit("/", 1)[-1] for c in categories] == [q.name for q in QUIZZES]
    expected = [(quiz, question) for quiz in QUIZZES for question in quiz.questions]
    assert len(questions) == len(expected)
    for got, (quiz, question) in zip(questions, expected):
        assert got["title"] == f"{quiz.name}-{question.id}"
        assert got["stem"]["text"] == question.prompt
        assert question.source in got["globalFeedback"]["text"]
        if question.kind == "choice":
            assert got["type"] == "MC"
            assert [
                (c["text"]["text"], c["isCorrect"], c["feedback"]["text"]) for c in got["choices"]
            ] == [(c.text, c.correct, c.why) for c in question.choices]
        else:
            assert got["type"] == "Numerical"
            (choice,) = got["choices"]
            assert choice["isCorrect"] and choice["feedback"]["text"] == question.why
            assert (choice["text"]["number"], choice["text"]["range"]) == (
                question.answer,
                question.tolerance,
            )


@pytest.mark.slow
def test_gift_escapes_every_special_character(tmp_path):
    awkward = "a {b} = c ~ d # e: f \\ g"
    body = (
        _quiz_text()
        .replace("prompt: Which?", f"prompt: '{awkward}'", 1)
        .replace(
            "{text: A, correct: true, why: Because.}",
            f"{{text: '{awkward}', correct: true, why: '{awkward}'}}",
            1,
        )
    )
    quiz = load_quiz(_write(tmp_path, body))
    parsed = [q for q in _parse_gift(to_gift([quiz])) if q["type"] == "MC"]
    assert parsed[0]["stem"]["text"] == awkward
    assert parsed[0]["choices"][0]["text"]["text"] == awkward
    assert parsed[0]["choices"][0]["feedback"]["text"] == awkward
    assert escape("=") == "\\="


@pytest.mark.slow
def test_gift_parser_refuses_a_broken_export():
    """The check can fail: an unescaped brace breaks the file."""
    good = to_gift(QUIZZES[:1])
    broken = good.replace("\n}\n", "\n", 1)  # one question's closing brace gone
    assert broken != good
    if shutil.which("node") is None or not GIFT_PARSER.is_dir():
        pytest.fail("node and gift-pegjs are needed: npm ci --prefix tests/browser")
    result = subprocess.run(
        ["node", "-e", "require('gift-pegjs').parse(require('fs').readFileSync(0, 'utf8'))"],
        input=broken,
        capture_output=True,
        text=True,
        cwd=GIFT_PARSER.parent.parent,
        timeout=60,
    )
    assert result.returncode != 0 and "SyntaxError" in result.stderr


def test_quiz_export_command_writes_the_file(tmp_path):
    from osmcourse.__main__ import main

    out = tmp_path / "checks" / "reading-checks.gift"
    assert main(["quiz-export", str(out), "--chapter", "lyssna"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "$CATEGORY: $course$/Open Source Marketing/Reading checks/lyssna" in text
    assert "cathedral-bazaar" not in text
    assert main(["quiz-export", str(out), "--chapter", "no-such-chapter"]) == 2
