"""The reading checks as a QTI 1.2 package (what Canvas imports), read back with an XML parser and
compared with the question files: every question, its key and its feedback survive."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from osmcourse.__main__ import main
from osmcourse.quizzes.export import export
from osmcourse.quizzes.qti import CP_NS, QTI_NS, RESOURCE_TYPE
from osmcourse.quizzes import all_quizzes, load_quiz

Q = f"{{{QTI_NS}}}"
CP = f"{{{CP_NS}}}"
QUIZZES = all_quizzes()


def _package(data: bytes) -> tuple[ET.Element, dict[str, ET.Element]]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        manifest = ET.fromstring(package.read("imsmanifest.xml"))
        hrefs = [r.get("href") for r in manifest.iter(f"{CP}resource")]
        assert all(r.get("type") == RESOURCE_TYPE for r in manifest.iter(f"{CP}resource"))
        # Every resource's file is in the zip, and nothing else is.
        assert sorted(package.namelist()) == sorted(["imsmanifest.xml", *hrefs])
        return manifest, {href: ET.fromstring(package.read(href)) for href in hrefs}


def _text(element: ET.Element | None) -> str:
    assert element is not None
    return "".join(m.text or "" for m in element.iter(f"{Q}mattext"))


def read_items(assessment: ET.Element) -> dict[str, dict]:
    """What an importer sees in each item: prompt, choices, key, feedback by id."""
    items = {}
    for item in assessment.iter(f"{Q}item"):
        meta = {
            f.findtext(f"{Q}fieldlabel"): f.findtext(f"{Q}fieldentry")
            for f in item.iter(f"{Q}qtimetadatafield")
        }
        presentation = item.find(f"{Q}presentation")
        prompt = _text(presentation.find(f"{Q}material"))
        choices = {
            label.get("ident"): _text(label)
            for label in presentation.iter(f"{Q}response_label")
            if label.find(f"{Q}material") is not None
        }
        feedback = {fb.get("ident"): _text(fb) for fb in item.iter(f"{Q}itemfeedback")}
        scoring = [c for c in item.iter(f"{Q}respcondition") if c.find(f"{Q}setvar") is not None]
        assert len(scoring) == 1 and scoring[0].findtext(f"{Q}setvar") == "100"
        condition = scoring[0].find(f"{Q}conditionvar")
        shown = {
            c.find(f"{Q}conditionvar/{Q}varequal").text: c.find(f"{Q}displayfeedback").get(
                "linkrefid"
            )
            for c in item.iter(f"{Q}respcondition")
            if c.find(f"{Q}conditionvar/{Q}varequal") is not None and c.find(f"{Q}setvar") is None
        }
        items[item.get("title")] = {
            "type": meta["question_type"],
            "prompt": prompt,
            "choices": choices,
            "feedback": feedback,
            "condition": condition,
            "shown": shown,
        }
    return items


def check_package(data: bytes, quizzes) -> None:
    """Assert that every question of ``quizzes`` is in the package with its key and feedback."""
    manifest, assessments = _package(data)
    assert manifest.tag == f"{CP}manifest"
    assert len(assessments) == len(quizzes)
    for quiz in quizzes:
        root = assessments[f"{quiz.name}/{quiz.name}.xml"]
        assert root.tag == f"{Q}questestinterop"
        items = read_items(root)
        assert len(items) == len(quiz.questions)
        for question in quiz.questions:
            item = items[f"{quiz.name}-{question.id}"]
            assert item["prompt"] == question.prompt
            assert item["feedback"]["general_fb"] == f"Where in the chapter: {question.source}."
            if question.kind == "choice":
                assert item["type"] == "multiple_choice_question"
                assert list(item["choices"].values()) == [c.text for c in question.choices]
                key = item["condition"].findtext(f"{Q}varequal")
                assert item["choices"][key] == question.correct_choice.text
                for ident, choice in zip(item["choices"], question.choices):
                    assert item["feedback"][item["shown"][ident]] == choice.why
            else:
                assert item["type"] == "numerical_question"
                exact = float(item["condition"].findtext(f"{Q}or/{Q}varequal"))
                low = float(item["condition"].findtext(f"{Q}or/{Q}and/{Q}vargte"))
                high = float(item["condition"].findtext(f"{Q}or/{Q}and/{Q}varlte"))
                assert exact == question.answer
                assert question.accepts(low) and question.accepts(high)
                assert not question.accepts(high + 1) and not question.accepts(low - 1)
                assert item["feedback"]["correct_fb"] == question.why
                assert item["feedback"]["general_incorrect_fb"] == question.hint


def test_every_question_survives_with_its_key_and_feedback():
    check_package(export(QUIZZES, "qti"), QUIZZES)


def _tampered(data: bytes, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name != "imsmanifest.xml" and old in content:
                content = content.replace(old, new, 1)
                old = b"\x00never"  # once
            target.writestr(name, content)
    return out.getvalue()


def test_the_check_catches_a_wrong_key_a_lost_hint_or_a_lost_question():
    data = export(QUIZZES, "qti")
    quiz = QUIZZES[0]
    choice = next(q for q in quiz.questions if q.kind == "choice")
    right = next(i for i, c in enumerate(choice.choices) if c.correct)
    wrong = (right + 1) % len(choice.choices)
    # The scoring condition names the right option: make it name a wrong one.
    broken_key = _tampered(
        data,
        f">{choice.id}-{'abcde'[right]}</varequal>\n            </conditionvar>\n            <setvar".encode(),
        f">{choice.id}-{'abcde'[wrong]}</varequal>\n            </conditionvar>\n            <setvar".encode(),
    )
    numeric = next(q for qz in QUIZZES for q in qz.questions if q.kind == "numeric")
    lost_hint = _tampered(data, b'ident="general_incorrect_fb"', b'ident="other_fb"')
    lost_question = _tampered(data, f'title="{quiz.name}-{choice.id}"'.encode(), b'title="renamed"')
    for broken in (broken_key, lost_hint, lost_question):
        assert broken != data
        with pytest.raises((AssertionError, KeyError)):
            check_package(broken, QUIZZES)
    assert numeric.hint  # every numeric question has a hint to lose


def test_hostile_text_is_escaped_and_the_package_is_reproducible(tmp_path):
    path = tmp_path / "odd.yml"
    path.write_text(
        "chapter: chapters/readings/odd\nquestions:\n"
        + "".join(
            f"  - id: q{i}\n    source: 'S <&> \"x\"'\n    prompt: 'Is <b>1</b> & 2 ]]> {i}?'\n"
            "    answer: 2.5\n    tolerance: 0.5\n    why: '<script>alert(1)</script>'\n    hint: 'a & b'\n"
            for i in range(4)
        ),
        encoding="utf-8",
    )
    quiz = load_quiz(path)
    data = export([quiz], "qti")
    assert data == export([quiz], "qti")
    _, assessments = _package(data)
    items = read_items(next(iter(assessments.values())))
    assert items["odd-q0"]["prompt"] == "Is <b>1</b> & 2 ]]> 0?"
    assert items["odd-q0"]["feedback"]["correct_fb"] == "<script>alert(1)</script>"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="no quiz format"):
        export(QUIZZES, "scorm")


def test_quiz_export_command_writes_both_formats(tmp_path):
    assert (
        main(
            [
                "quiz-export",
                str(tmp_path / "q.zip"),
                "--format",
                "qti",
                "--chapter",
                QUIZZES[0].name,
            ]
        )
        == 0
    )
    _, assessments = _package((tmp_path / "q.zip").read_bytes())
    assert list(assessments) == [f"{QUIZZES[0].name}/{QUIZZES[0].name}.xml"]
    assert main(["quiz-export", str(tmp_path / "q.gift")]) == 0
    assert (tmp_path / "q.gift").read_text(encoding="utf-8").startswith("// Open Source Marketing")
