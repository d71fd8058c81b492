"""The book's Sphinx extension (``_config.yml``: ``extra_extensions: [osmcourse.book]``).

One module per concern, each with its own ``setup``:

* :mod:`~osmcourse.book.seeds`: the ``seed-text`` directive (the five texts, verbatim);
* :mod:`~osmcourse.book.launch`: launch buttons open the student copy of a lab;
* :mod:`~osmcourse.book.edition`: the student edition switch (``OSM_EDITION=student``);
* :mod:`~osmcourse.book.assets`: offline MathJax, the course's styles, icons;
* :mod:`~osmcourse.book.repairs`: the few fixes of the theme's finished HTML.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from osmcourse.book import assets, edition, launch, seeds

MODULES = (seeds, launch, edition, assets)


def setup(app: Sphinx) -> dict[str, object]:
    for module in MODULES:
        module.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
