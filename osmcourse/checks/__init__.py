"""Answer checks, one module per lab; each module defines ``LAB`` (a :class:`core.Lab`).

In a notebook: ``from osmcourse.checks import bass as check`` then ``check.task1(answer)``.
"""

from __future__ import annotations

from importlib import import_module

from osmcourse.checks.core import Feedback, Lab
from osmcourse.labs import LABS

# Lab id -> module name (in this package), derived from the one list of labs,
# :data:`osmcourse.labs.LABS`; kept under this name for the code that imports it.
LAB_MODULES: dict[str, str] = {lab.id: lab.id for lab in LABS}


def get_lab(name: str) -> Lab:
    """The checks of lab ``name`` (e.g. ``"bass"``)."""
    if not isinstance(name, str) or name not in LAB_MODULES:
        raise KeyError(f"no lab {name!r}; the labs are {sorted(LAB_MODULES)}")
    return import_module(f"osmcourse.checks.{LAB_MODULES[name]}").LAB


__all__ = ["Feedback", "Lab", "LAB_MODULES", "get_lab"]
