"""Figures for the chapters and labs, drawn the same way everywhere.

Every function returns the matplotlib ``Figure`` and leaves showing it to the caller. One
module per concern:

* ``style``: the shared drawing style, the Okabe-Ito colours and :func:`new_axes`;
* ``timeline``: the introduction's timeline of the texts and the works they cite;
* one module per lab that draws figures, named by the lab's id (:mod:`osmcourse.labs`):
  ``readings``, ``bass``, ``network``, ``longtail``, ``trust``. A lab record's ``figures``
  names the functions its module defines.

This package exports every name each module lists in its ``__all__``, so chapters and
notebooks import from here: ``from osmcourse.figures import long_tail_figure``. Adding a
lab's figures is adding its module, ``osmcourse/figures/<id>.py`` with its ``__all__``.

networkx is imported only when a network is drawn (in :mod:`osmcourse.figures.network`'s
functions), so importing this package costs a lab that draws no network nothing more.
"""

from __future__ import annotations

from importlib import import_module

from osmcourse.labs import LABS

# The shared style and the chapters' figures, then the labs' figures: the lab registry is the
# one list of labs, so a new lab's module is found by its id.
MODULES = ("style", "timeline", *(lab.id for lab in LABS if lab.figures))


def _export_modules() -> list[str]:
    """Bind every module's exported names here; return them in order."""
    names = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        for exported in module.__all__:
            if exported in names:  # one would silently hide the other
                raise ImportError(f"{__name__}: two modules export {exported!r}")
            globals()[exported] = getattr(module, exported)
        names.extend(module.__all__)
    return names


__all__ = _export_modules()
