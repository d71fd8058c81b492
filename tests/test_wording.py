"""One wording per paraphrased finding, on every page, reading check and lab (issue 19).

A finding paraphrased three ways drifts: "longer but flatter" became "stayed very flat", the
lab's community that "shrinks" became one that "collapses". Each finding below has its one
wording (which must appear in its home) and the variants that may not appear in any sentence
about it. A sentence is "about" the finding when it matches the finding's subject pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT


@dataclass(frozen=True)
class Finding:
    name: str
    subject: str  # regex: the sentence is about this finding
    wording: str  # the one wording, as a regex
    home: str  # where the wording must appear (path relative to the root)
    variants: tuple[str, ...]  # regexes no sentence about the finding may match


FINDINGS = [
    Finding(
        "Elberse's tail",
        r"Elberse",
        r"longer but flatter",
        "chapters/readings/marketing-2-0.md",
        (r"very flat", r"stayed flat", r"\bfatter\b", r"shorter"),
    ),
    Finding(
        "the lab's community past the threshold",
        r"simulat\w+ community|model community",
        r"shrink",
        "exercises/trust-and-noise.ipynb",
        (
            r"(?:simulated|model) community (?:collapses|collapsing|collapsed)",
            r"threshold at which the (?:simulated|model) community collaps",
        ),
    ),
    Finding(
        "Goldenberg, Libai and Muller (2001)",
        r"goldenberg2001talk|Goldenberg",
        r"weak ties",
        "chapters/glossary.md",
        (r"spread wide", r"rather than concentrated", r"concentrat\w+ in a few"),
    ),
    Finding(
        "exposed fakes and text 004",
        r"fakes? (?:that were )?exposed|exposed fakes",
        r"by selection",
        "chapters/synthesis.md",
        (r"borne out by", r"prove[sd]? (?:that )?text 004", r"confirm\w* text 004"),
    ),
    Finding(
        "the hybrid corn study",
        r"hybrid (?:seed )?corn",
        r"first heard of the seed from\s+salesmen",
        "chapters/readings/lyssna.md",
        (r"first heard of (?:the seed|it) from (?:their )?neighbours",),
    ),
    Finding(
        "Watts and Dodds",
        r"Watts|watts2007influentials",
        r"critical mass of easily influenced",
        "chapters/readings/lyssna.md",
        (r"(?<!not )driven by (?:a few )?influentials(?![^.]*\bnot\b)",),
    ),
    Finding(
        "Rogers' definition of diffusion",
        r"innovation is communicated",
        r"(?:process in which|a process in which)",
        "chapters/glossary.md",
        (r"[“\"]the process by which an innovation",),
    ),
    Finding(
        "the Cluetrain theses",
        r"Cluetrain|theses",
        r"\b95 theses",
        "chapters/readings/open-source-marketing.md",
        (r"\b(?!95\b)\d{2,3} theses",),
    ),
]


def notebook_text(path: Path) -> str:
    return "\n\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)


def corpus() -> dict[str, str]:
    """Every page, reading check and lab master, by path relative to the root."""
    paths = [
        ROOT / "intro.md",
        *sorted((ROOT / "chapters").rglob("*.md")),
        *sorted((ROOT / "chapters").rglob("*.yml")),
    ]
    texts = {
        str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
        for p in paths
        if not p.name.endswith(".evidence.yml")
    }
    texts.update(
        {
            str(p.relative_to(ROOT)): notebook_text(p)
            for p in sorted((ROOT / "exercises").glob("*.ipynb"))
        }
    )
    return texts


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*“\"(])", " ".join(text.split()))


def drift(finding: Finding, texts: dict[str, str]) -> list[str]:
    problems = []
    for name, text in texts.items():
        for sentence in sentences(text):
            if not re.search(finding.subject, sentence):
                continue
            for variant in finding.variants:
                if hit := re.search(variant, sentence):
                    problems.append(f"{name}: {hit.group(0)!r} in: {sentence[:200]}")
    return problems


CORPUS = corpus()


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.name)
def test_one_wording_per_finding(finding):
    home = CORPUS[finding.home]
    assert re.search(finding.wording, " ".join(home.split())), (
        f"{finding.home} no longer has the wording {finding.wording!r}"
    )
    problems = drift(finding, CORPUS)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "name, sentence",
    [
        ("Elberse's tail", "Anita Elberse found a tail that grew longer but stayed very flat."),
        (
            "the lab's community past the threshold",
            "A threshold at which the simulated community collapses reflects the assumptions.",
        ),
        (
            "Goldenberg, Libai and Muller (2001)",
            "Goldenberg, Libai and Muller found influence spread wide rather than concentrated.",
        ),
        (
            "exposed fakes and text 004",
            "Text 004's claim is borne out by the fakes that were exposed.",
        ),
    ],
)
def test_the_issue_examples_are_caught(name, sentence):
    finding = next(f for f in FINDINGS if f.name == name)
    assert drift(finding, {"example.md": sentence})
    assert not drift(finding, {"example.md": "An unrelated sentence about the weather."})
