"""The reading checks: the ``quiz`` and ``quiz-answers`` directives.

A reading chapter ends with::

    ## Check your reading

    ```{quiz} quizzes/lyssna.yml
    ```

The questions are data (:mod:`osmcourse.quizzes`, one YAML file per chapter); this module
only presents them, three ways from one file:

* **In the HTML page**, an interactive quiz (``osm-quiz.js``, ``osm-quiz.css``, loaded only on
  pages that have one): each question is a ``<fieldset>`` of native radio buttons or a text
  field, a "Check answer" button, and a status region (``role="status"``, an ARIA live region)
  that announces the verdict and the reason. No kernel, no network, nothing stored: the answers
  and reasons are in the page (a reader who views the source can see them; this is
  self-assessment, not an exam).
* **In print and in the PDF**, the questions as a numbered list with lettered options (the
  node's plain docutils children, which every builder renders; the HTML visitor writes the
  interactive version instead). The answers follow in a container of class ``solution``
  (hidden on screen, where the quiz itself gives feedback, and printed), which
  :mod:`osmcourse.book.edition` removes from the student edition: its PDF and printed pages
  show questions only, while its web pages keep the interactive feedback, which is part of
  learning.
* **On the instructors' answer-keys page**, ``{quiz-answers} ../readings/quizzes/lyssna.yml``
  lists each question with its answer, the reason and where in the chapter it is.
"""

from __future__ import annotations

import html
import string

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator

from osmcourse.quizzes import Question, Quiz, QuizError, load_quiz

logger = logging.getLogger(__name__)

QUIZ_JS = "osm-quiz.js"
QUIZ_CSS = "osm-quiz.css"
LETTERS = string.ascii_lowercase
# Blank line printed for a numeric answer.
ANSWER_LINE = "Answer: ______________"


class quiz(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """A chapter's questions. Attribute ``quiz``: the :class:`~osmcourse.quizzes.Quiz`.

    Its children are the printable version (a numbered list); the HTML writer replaces them
    with the interactive form.
    """


def _paragraph(*parts: nodes.Node | str, classes: list[str] | None = None) -> nodes.paragraph:
    paragraph = nodes.paragraph(classes=classes or [])
    for part in parts:
        paragraph += nodes.Text(part) if isinstance(part, str) else part
    return paragraph


def printable_questions(quiz_data: Quiz) -> nodes.enumerated_list:
    """The questions as plain nodes: prompt, lettered options or an answer line."""
    questions = nodes.enumerated_list(
        enumtype="arabic", prefix="", suffix=".", classes=["osm-quiz-print"]
    )
    for question in quiz_data.questions:
        item = nodes.list_item()
        item += _paragraph(question.prompt)
        if question.kind == "choice":
            options = nodes.enumerated_list(enumtype="loweralpha", prefix="(", suffix=")")
            for choice in question.choices:
                options += nodes.list_item("", _paragraph(choice.text))
            item += options
        else:
            item += _paragraph(ANSWER_LINE)
        questions += item
    return questions


def answer_key(quiz_data: Quiz, with_prompts: bool) -> nodes.enumerated_list:
    """Each question's answer, the reason, and where in the chapter it is."""
    answers = nodes.enumerated_list(enumtype="arabic", prefix="", suffix=".")
    for question in quiz_data.questions:
        item = nodes.list_item()
        if with_prompts:
            item += _paragraph(nodes.emphasis(text=question.prompt))
        if question.kind == "choice":
            letter = LETTERS[question.choices.index(question.correct_choice)]
            answer = f"({letter}) {question.answer_text()}"
            # "Right." opens the reason a reader sees after choosing; a key needs no verdict.
            why = question.correct_choice.why.removeprefix("Right. ")
        else:
            answer, why = question.answer_text(), question.why
        item += _paragraph(
            nodes.strong(text=answer),
            " ",
            why,
            " ",
            nodes.emphasis(text=f"Where: {question.source}."),
        )
        answers += item
    return answers


class QuizDirective(SphinxDirective):
    """``{quiz} PATH``: the questions in PATH (relative to the page), then their answers."""

    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def _load(self) -> Quiz | None:
        relative, absolute = self.env.relfn2path(self.arguments[0], self.env.docname)
        # A change to the question file rebuilds the page.
        self.env.note_dependency(relative)
        try:
            return load_quiz(absolute)
        except (OSError, QuizError) as error:
            logger.warning("quiz: %s", error, location=self.get_location())
            return None

    def run(self) -> list[nodes.Node]:
        quiz_data = self._load()
        if quiz_data is None:
            return []
        node = quiz(quiz=quiz_data, classes=["osm-quiz"] + self.options.get("class", []))
        self.set_source_info(node)
        node += printable_questions(quiz_data)
        # The answers: printed in the full edition, dropped from the student edition
        # (class "solution", osmcourse.book.edition), hidden on screen (osm-quiz.css).
        key = nodes.container(classes=["solution", "osm-quiz-print-key"])
        key += nodes.rubric(text="Answers")
        key += answer_key(quiz_data, with_prompts=False)
        return [node, key]


class QuizAnswersDirective(QuizDirective):
    """``{quiz-answers} PATH``: the answer key of a chapter's questions (instructors' pages)."""

    def run(self) -> list[nodes.Node]:
        quiz_data = self._load()
        if quiz_data is None:
            return []
        key = nodes.container(classes=["solution", "osm-quiz-key"])
        key += answer_key(quiz_data, with_prompts=True)
        return [key]


# --- HTML: the interactive form. ---


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def question_html(quiz_data: Quiz, number: int, question: Question) -> str:
    """One question: a fieldset, its "Check answer" button, the reasons (hidden), a live region."""
    qid = f"quiz-{quiz_data.name}-{question.id}"
    legend = (
        f'<legend id="{qid}-prompt"><span class="osm-quiz-number">{number}.</span> '
        f"{html.escape(question.prompt)}</legend>"
    )
    if question.kind == "choice":
        fields = "".join(
            f'<div class="osm-quiz-choice">'
            f'<input type="radio" name="{qid}" id="{qid}-{LETTERS[i]}" value="{LETTERS[i]}">'
            f'<label for="{qid}-{LETTERS[i]}"><span class="osm-quiz-letter">{LETTERS[i]}.</span> '
            f"{html.escape(choice.text)}</label></div>"
            for i, choice in enumerate(question.choices)
        )
        reasons = "".join(
            f'<p data-choice="{LETTERS[i]}" data-correct="{str(choice.correct).lower()}">{html.escape(choice.why)}</p>'
            for i, choice in enumerate(question.choices)
        )
        data = 'data-kind="choice"'
    else:
        fields = (
            f'<label class="osm-quiz-numeric-label" for="{qid}-input">Your answer (a number)</label> '
            f'<input type="text" class="osm-quiz-numeric" id="{qid}-input" inputmode="decimal" '
            f'autocomplete="off" spellcheck="false" size="10">'
        )
        reasons = (
            f'<p data-outcome="right">{html.escape(question.why)}</p>'
            f'<p data-outcome="wrong">{html.escape(question.hint)}</p>'
        )
        data = (
            f'data-kind="numeric" data-answer="{_attr(repr(question.answer))}" '
            f'data-tolerance="{_attr(repr(question.tolerance))}"'
        )
    return (
        f'<div class="osm-quiz-question" id="{qid}" {data} data-source="{_attr(question.source)}">'
        f"<fieldset>{legend}{fields}</fieldset>"
        f'<div class="osm-quiz-reasons" hidden>{reasons}</div>'
        f'<button type="button" class="osm-quiz-check" aria-describedby="{qid}-prompt">Check answer</button>'
        f'<p class="osm-quiz-feedback" id="{qid}-feedback" role="status" aria-live="polite"></p>'
        f"</div>"
    )


def visit_quiz_html(self: HTML5Translator, node: quiz) -> None:
    quiz_data: Quiz = node["quiz"]
    classes = " ".join(node.get("classes", []))
    self.body.append(
        f'<div class="{_attr(classes)}" data-osm-quiz="{_attr(quiz_data.name)}">'
        '<p class="osm-quiz-how">Choose or type an answer and press “Check answer”: the verdict '
        "and the reason appear under the question. Answers stay in your browser: nothing is "
        "stored or sent.</p>"
        '<p class="osm-quiz-needs-script">The questions need JavaScript to check answers; '
        "without it, read them as a list and compare with the chapter.</p>"
        + "".join(question_html(quiz_data, n, q) for n, q in enumerate(quiz_data.questions, 1))
        + "</div>"
    )
    # The printable children are for print-like builders; the form replaces them.
    raise nodes.SkipNode


def visit_quiz_plain(self: object, node: quiz) -> None:
    """Other writers (LaTeX, text, ...) render the printable children."""


def depart_quiz_plain(self: object, node: quiz) -> None:
    pass


def add_quiz_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: nodes.document | None
) -> None:
    """The quiz's script and styles, on pages with a quiz only."""
    if doctree is None or app.builder.format != "html":
        return
    has_quiz = next(iter(doctree.findall(quiz)), None) is not None
    has_key = any("osm-quiz-key" in n["classes"] for n in doctree.findall(nodes.container))
    if has_quiz or has_key:
        app.add_css_file(QUIZ_CSS)
    if has_quiz:
        app.add_js_file(QUIZ_JS, loading_method="defer")


def setup(app: Sphinx) -> None:
    app.add_node(
        quiz,
        html=(visit_quiz_html, None),
        latex=(visit_quiz_plain, depart_quiz_plain),
        text=(visit_quiz_plain, depart_quiz_plain),
    )
    app.add_directive("quiz", QuizDirective)
    app.add_directive("quiz-answers", QuizAnswersDirective)
    app.connect("html-page-context", add_quiz_assets)
