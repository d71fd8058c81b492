"""The reading checks as QTI 1.2 in an IMS content package: the quiz format Canvas imports.

``python -m osmcourse quiz-export OUT.zip --format qti`` writes one zip: ``imsmanifest.xml``
and one QTI 1.2 assessment per chapter (``<chapter>/<chapter>.xml``), each listed in the
manifest as a resource of type ``imsqti_xmlv1p2``. In Canvas: Settings > Import Course
Content > "QTI .zip file"; each chapter becomes a quiz (and its questions a question bank).

Each question carries, as QTI's ``itemfeedback``:

* a multiple-choice option's reason, shown when that option is chosen (Canvas's "answer
  comments": ``<ident>_fb``);
* for a numeric question, the reason when right (``correct_fb``) and the chapter's *hint* when
  wrong (``general_incorrect_fb``), which GIFT has no place for;
* where in the chapter the answer is, for everyone (``general_fb``).

A numeric answer is accepted within the question's tolerance (``vargte``/``varlte``). The
item metadata uses Canvas's field names (``question_type``, ``points_possible``), which other
QTI 1.2 readers ignore. Everything comes from the question files (:mod:`osmcourse.quizzes`);
the XML is written with :mod:`xml.etree.ElementTree`, so text is always escaped. The package
is byte-identical for the same question files (fixed zip timestamps, sorted entries).

Why not ``text2qti``: it reads its own Markdown-like text, not these YAML files, so it would
need a second copy of every question; the subset of QTI written here is small.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from osmcourse.quizzes import Question, Quiz, format_number

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
RESOURCE_TYPE = "imsqti_xmlv1p2"
CHOICE_LETTERS = "abcdefghij"


def _ident(*parts: str) -> str:
    """A stable XML id (letters first, as xsd:ID requires)."""
    return "i" + hashlib.sha1("/".join(parts).encode("utf-8")).hexdigest()[:16]


def _field(parent: ET.Element, label: str, entry: str) -> None:
    item = ET.SubElement(parent, "qtimetadatafield")
    ET.SubElement(item, "fieldlabel").text = label
    ET.SubElement(item, "fieldentry").text = entry


def _material(parent: ET.Element, text: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", texttype="text/plain").text = text


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    feedback = ET.SubElement(item, "itemfeedback", ident=ident)
    _material(ET.SubElement(feedback, "flow_mat"), text)


def _item(quiz: Quiz, question: Question) -> ET.Element:
    item = ET.Element(
        "item", ident=_ident(quiz.name, question.id), title=f"{quiz.name}-{question.id}"
    )
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    _field(
        meta,
        "question_type",
        "multiple_choice_question" if question.kind == "choice" else "numerical_question",
    )
    _field(meta, "points_possible", "1.0")
    presentation = ET.SubElement(item, "presentation")
    _material(presentation, question.prompt)
    processing = ET.Element("resprocessing")
    outcomes = ET.SubElement(processing, "outcomes")
    ET.SubElement(
        outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal"
    )
    general = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
    ET.SubElement(ET.SubElement(general, "conditionvar"), "other")
    ET.SubElement(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    feedbacks: list[tuple[str, str]] = []
    if question.kind == "choice":
        response = ET.SubElement(
            presentation, "response_lid", ident="response1", rcardinality="Single"
        )
        render = ET.SubElement(response, "render_choice")
        for index, choice in enumerate(question.choices):
            ident = f"{question.id}-{CHOICE_LETTERS[index]}"
            _material(ET.SubElement(render, "response_label", ident=ident), choice.text)
            condition = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
            ET.SubElement(
                ET.SubElement(condition, "conditionvar"), "varequal", respident="response1"
            ).text = ident
            ET.SubElement(
                condition, "displayfeedback", feedbacktype="Response", linkrefid=f"{ident}_fb"
            )
            feedbacks.append((f"{ident}_fb", choice.why))
        correct = next(i for i, c in enumerate(question.choices) if c.correct)
        scoring = ET.SubElement(processing, "respcondition", attrib={"continue": "No"})
        ET.SubElement(
            ET.SubElement(scoring, "conditionvar"), "varequal", respident="response1"
        ).text = f"{question.id}-{CHOICE_LETTERS[correct]}"
        ET.SubElement(scoring, "setvar", action="Set", varname="SCORE").text = "100"
    else:
        response = ET.SubElement(
            presentation, "response_str", ident="response1", rcardinality="Single"
        )
        render = ET.SubElement(response, "render_fib", fibtype="Decimal")
        ET.SubElement(render, "response_label", ident=question.id)
        scoring = ET.SubElement(processing, "respcondition", attrib={"continue": "No"})
        condition = ET.SubElement(scoring, "conditionvar")
        either = ET.SubElement(condition, "or")
        ET.SubElement(either, "varequal", respident="response1").text = format_number(
            question.answer
        )
        within = ET.SubElement(either, "and")
        ET.SubElement(within, "vargte", respident="response1").text = format_number(
            question.answer - question.tolerance
        )
        ET.SubElement(within, "varlte", respident="response1").text = format_number(
            question.answer + question.tolerance
        )
        ET.SubElement(scoring, "setvar", action="Set", varname="SCORE").text = "100"
        ET.SubElement(scoring, "displayfeedback", feedbacktype="Response", linkrefid="correct_fb")
        wrong = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
        ET.SubElement(ET.SubElement(wrong, "conditionvar"), "other")
        ET.SubElement(
            wrong, "displayfeedback", feedbacktype="Response", linkrefid="general_incorrect_fb"
        )
        feedbacks += [("correct_fb", question.why), ("general_incorrect_fb", question.hint)]
    item.append(processing)
    _feedback(item, "general_fb", f"Where in the chapter: {question.source}.")
    for ident, text in feedbacks:
        _feedback(item, ident, text)
    return item


def assessment_xml(quiz: Quiz) -> bytes:
    """One chapter's questions as a QTI 1.2 assessment."""
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    assessment = ET.SubElement(
        root, "assessment", ident=_ident(quiz.name), title=f"Reading check: {quiz.name}"
    )
    meta = ET.SubElement(assessment, "qtimetadata")
    _field(meta, "cc_maxattempts", "unlimited")
    section = ET.SubElement(assessment, "section", ident="root_section")
    for question in quiz.questions:
        section.append(_item(quiz, question))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def manifest_xml(quizzes: list[Quiz]) -> bytes:
    """The IMS content package manifest listing every chapter's assessment."""
    root = ET.Element(
        "manifest", identifier=_ident("manifest", *(q.name for q in quizzes)), xmlns=CP_NS
    )
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for quiz in quizzes:
        href = f"{quiz.name}/{quiz.name}.xml"
        resource = ET.SubElement(
            resources, "resource", identifier=_ident(quiz.name), type=RESOURCE_TYPE, href=href
        )
        ET.SubElement(resource, "file", href=href)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def to_qti(quizzes: Iterable[Quiz]) -> bytes:
    """The whole package (a zip) for these chapters: this format's entry in
    :data:`osmcourse.quizzes.export.FORMATS`."""
    chosen = list(quizzes)
    files = {"imsmanifest.xml": manifest_xml(chosen)}
    files.update({f"{quiz.name}/{quiz.name}.xml": assessment_xml(quiz) for quiz in chosen})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in ["imsmanifest.xml", *sorted(n for n in files if n != "imsmanifest.xml")]:
            package.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                files[name],
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buffer.getvalue()
