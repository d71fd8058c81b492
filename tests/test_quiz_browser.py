"""The reading checks in a real browser (Debian's Chromium through Playwright, as in
test_browser.py): feedback, keyboard use, accessibility, offline use, and nothing stored or sent.

Set OSM_QUIZ_BOOK to a built HTML folder (``BUILD_OUT/_build/html``) to test that build instead
of building the book again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from osmcourse.quizzes import Question, all_quizzes

from test_browser import AXE, Site, Visit

pytestmark = [pytest.mark.slow, pytest.mark.browser]

QUIZZES = {quiz.name: quiz for quiz in all_quizzes()}


@pytest.fixture(scope="module")
def quiz_site(request):
    folder = os.environ.get("OSM_QUIZ_BOOK")
    served = Site(Path(folder) if folder else request.getfixturevalue("built"))
    yield served
    served.close()


def page_of(name: str) -> str:
    return f"chapters/readings/{name}.html"


def question_box(page, name: str, question: Question):
    return page.locator(f"#quiz-{name}-{question.id}")


def feedback_of(box) -> str:
    return box.locator(".osm-quiz-feedback").inner_text()


def storage(visit: Visit) -> dict:
    """Everything the page could have kept: both web storages and the cookies."""
    kept = visit.page.evaluate(
        "() => ({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"
    )
    kept["cookies"] = visit.context.cookies()
    return kept


def answer_every_question(page, name: str) -> None:
    """A wrong answer, then the right one, for every question of a chapter, by mouse and keys."""
    for question in QUIZZES[name].questions:
        box = question_box(page, name, question)
        if question.kind == "choice":
            wrong = next(c for c in question.choices if not c.correct)
            box.get_by_label(wrong.text, exact=False).check()
            box.get_by_role("button", name="Check answer").click()
            assert feedback_of(box).startswith("Not quite.")
            assert wrong.why in feedback_of(box)
            box.get_by_label(question.correct_choice.text, exact=False).check()
            box.get_by_role("button", name="Check answer").click()
        else:
            field = box.get_by_label("Your answer (a number)")
            field.fill(str(int(question.answer) + 1000))
            field.press("Enter")
            assert feedback_of(box).startswith("Not quite.") and question.hint in feedback_of(box)
            field.fill(str(question.answer).removesuffix(".0"))
            box.get_by_role("button", name="Check answer").click()
        assert feedback_of(box).startswith("Correct."), (question.id, feedback_of(box))


@pytest.mark.parametrize("name", sorted(QUIZZES))
def test_every_question_explains_wrong_answers_and_marks_the_right_one(browser, quiz_site, name):
    visit = Visit(browser, quiz_site, page_of(name))
    page = visit.page
    assert page.locator(".osm-quiz-ready").count() == 1
    answer_every_question(page, name)
    # The last choice question: the chosen right option carries a visible mark.
    question = [q for q in QUIZZES[name].questions if q.kind == "choice"][-1]
    right = question_box(page, name, question).locator(".osm-quiz-choice.osm-quiz-right")
    assert right.count() == 1 and "correct" in right.inner_text()
    assert question.correct_choice.text in right.inner_text()
    assert not visit.errors and not visit.third_party and not visit.failed
    visit.close()


def test_feedback_is_announced_and_the_quiz_works_by_keyboard(browser, quiz_site):
    name = "lyssna"
    visit = Visit(browser, quiz_site, page_of(name))
    page = visit.page
    first, second = QUIZZES[name].questions[:2]
    box = question_box(page, name, first)
    region = box.locator(".osm-quiz-feedback")
    assert (
        region.get_attribute("role") == "status" and region.get_attribute("aria-live") == "polite"
    )
    # Focus order: the first option, then (Tab) the question's button, then the next question.
    box.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # select the focused option
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "osm-quiz-check"
    page.keyboard.press("Enter")
    chosen = first.choices[0]
    assert feedback_of(box).startswith("Correct." if chosen.correct else "Not quite.")
    assert chosen.why in feedback_of(box)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused.startswith(f"quiz-{name}-{second.id}-"), focused
    # Arrow keys move between options of a group, as in any form.
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.checked") is True
    # Checking without a choice, or a numeric field with words in it, asks again.
    numeric = next(q for q in QUIZZES[name].questions if q.kind == "numeric")
    field = question_box(page, name, numeric).get_by_label("Your answer (a number)")
    field.fill("two")
    field.press("Enter")
    assert feedback_of(question_box(page, name, numeric)).startswith("Type a number")
    assert field.get_attribute("aria-invalid") == "true"
    visit.close()


def test_answering_works_offline_and_nothing_is_stored_or_sent(browser, quiz_site):
    name = "marketing-2-0"
    visit = Visit(browser, quiz_site, page_of(name))
    before = storage(visit)
    requests: list[str] = []
    visit.page.on("request", lambda request: requests.append(request.url))
    visit.context.set_offline(True)  # the network cut, after the page has loaded
    answer_every_question(visit.page, name)
    visit.context.set_offline(False)
    after = storage(visit)
    assert requests == [], requests
    assert after == before, (before, after)
    assert not any("quiz" in key for key in [*after["local"], *after["session"]])
    assert not visit.errors and not visit.third_party
    visit.close()


def test_pages_with_answered_quizzes_have_no_serious_accessibility_violations(browser, quiz_site):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: npm ci --prefix tests/browser")
    script = AXE.read_text(encoding="utf-8")
    problems = []
    for name in sorted(QUIZZES):
        visit = Visit(browser, quiz_site, page_of(name))
        answer_every_question(visit.page, name)  # feedback and marks on screen
        visit.page.add_script_tag(content=script)
        violations = visit.page.evaluate(
            """async () => (await axe.run()).violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)"""
        )
        problems += [f"{name}: {v}" for v in violations]
        visit.close()
    assert not problems, "\n".join(problems)


def test_print_shows_questions_without_buttons_or_verdicts(browser, quiz_site):
    name = "communities"
    visit = Visit(browser, quiz_site, page_of(name))
    answer_every_question(visit.page, name)
    visit.page.emulate_media(media="print")
    page = visit.page
    assert page.locator(".osm-quiz-question legend").first.is_visible()
    assert page.locator(".osm-quiz-choice label").first.is_visible()
    assert not page.locator(".osm-quiz-check").first.is_visible()
    assert not page.locator(".osm-quiz-feedback").first.is_visible()
    assert page.locator(".osm-quiz-mark").evaluate_all("marks => marks.every(m => !m.offsetParent)")
    # This is the instructor edition: its printed page has the answers after the quiz.
    key = page.locator(".osm-quiz-print-key")
    reason = QUIZZES[name].questions[0].correct_choice.why.removeprefix("Right. ")
    assert key.is_visible() and reason[:40] in key.inner_text()
    page.emulate_media(media="screen")
    assert not key.is_visible()
    visit.close()
