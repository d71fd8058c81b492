"""The grading journal's settings digest: what a saved result depends on besides the notebook.

A result is reused on resume only while everything that judged it is unchanged: the checks, the
plain answer keys, the models the keys compute with and the data files they read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import osmcourse
from osmcourse.grading.journal import settings_digest

PACKAGE = Path(osmcourse.__file__).parent


@pytest.mark.parametrize(
    "edited",
    [
        "checks/trust.py",
        "keys/trust.py",
        "models/bass.py",
        "data/__init__.py",
        "data/nielsen_trust_in_advertising_2007_2013.csv",
    ],
)
def test_a_corrected_key_model_or_data_file_regrades_on_resume(edited, monkeypatch):
    settings = {"lab": "trust", "timeout": 60.0}
    before = settings_digest(settings)
    target = PACKAGE / edited
    original = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        data = original(path)
        return data + b"\n# corrected\n" if path == target else data

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert settings_digest(settings) != before
    monkeypatch.undo()
    assert settings_digest(settings) == before  # the same sources, the same digest
