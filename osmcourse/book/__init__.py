"""The book's Sphinx extension (``_config.yml``: ``extra_extensions: [osmcourse.book]``).

One module per concern, each with its own ``setup``:

* :mod:`~osmcourse.book.seeds`: the ``seed-text`` directive (the five texts, verbatim);
* :mod:`~osmcourse.book.quotes`: the ``translation-quote`` and ``seed-dating`` roles (checked
  quotations of our translation; a text's date from the seed catalogue);
* :mod:`~osmcourse.book.launch`: launch buttons open the student copy of a lab;
* :mod:`~osmcourse.book.edition`: the student edition switch (``OSM_EDITION=student``);
* :mod:`~osmcourse.book.assets`: offline MathJax, the course's styles, icons;
* :mod:`~osmcourse.book.speed`: nothing but one stylesheet blocks the first paint;
* :mod:`~osmcourse.book.images`: the published figures as palette PNGs, a third of the weight;
* :mod:`~osmcourse.book.metadata`: the favicon and every page's meta description;
* :mod:`~osmcourse.book.repairs`: the few accessibility fixes no setting can make;
* :mod:`~osmcourse.book.freshness`: no stale page (execution cache keyed on the package,
  every page written on every build);
* :mod:`~osmcourse.book.citations`: a citation links to its own page's list or the Bibliography;
* :mod:`~osmcourse.book.search`: search folds accents (index and query).
* :mod:`~osmcourse.book.latex`: the course as one PDF (LaTeX settings, the ``osmBook``
  class, worked solutions and DataFrames in print); :mod:`~osmcourse.book.pdf` (no Sphinx:
  the PDF's name, its log check and publication, a command line);
* :mod:`~osmcourse.book.pdf_link`: the download link to the PDF on every page.
* :mod:`~osmcourse.book.labtable`: the ``lab-table`` directive (the instructors' table of
  labs, from the lab registry);
* :mod:`~osmcourse.book.quiz`: the reading checks (``quiz``, ``quiz-answers``): interactive on
  the page, a list in print and the PDF, answers in the instructor edition only.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from osmcourse.book import (
    assets,
    citations,
    edition,
    freshness,
    images,
    labtable,
    latex,
    launch,
    metadata,
    pdf_link,
    quiz,
    quotes,
    repairs,
    search,
    seeds,
    speed,
)

MODULES = (
    seeds,
    quotes,
    launch,
    edition,
    assets,
    speed,
    images,
    metadata,
    repairs,
    freshness,
    citations,
    search,
    latex,
    pdf_link,
    quiz,
    labtable,
)


def setup(app: Sphinx) -> dict[str, object]:
    for module in MODULES:
        module.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
