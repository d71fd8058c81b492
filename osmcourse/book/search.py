"""Search folds accents: ``tvastegshypotesen`` finds the pages that say ``tvåstegshypotesen``.

Readers type Swedish words without å, ä and ö. Sphinx's search has one supported hook for
this, its search language (``app.add_search_language``): the language's ``stem`` turns each
word into its index term, and its ``js_stemmer_code`` is the same step for the reader's query,
in the browser. The English search language is replaced by one that strips accents (Unicode
NFD decomposition, combining marks removed) before the usual Porter stemming, on both sides,
so a query with or without accents meets the same index terms.
"""

from __future__ import annotations

import unicodedata

from sphinx.application import Sphinx
from sphinx.search.en import SearchEnglish

# The browser side: the same folding in front of Sphinx's Porter stemmer (defined just above
# this code in language_data.js, as `var Stemmer`).
_JS_FOLDING = """
/* Accent folding (osmcourse/book/search.py): a query with or without accents finds the
   same pages, because the index holds folded words too. */
var PorterStemmer = Stemmer;
Stemmer = function () {
  var porter = new PorterStemmer();
  this.stemWord = function (word) {
    return porter.stemWord(word.normalize("NFD").replace(/\\p{M}/gu, ""));
  };
};
"""


def fold_accents(word: str) -> str:
    """``word`` without its accents: ``tvåstegshypotesen`` -> ``tvastegshypotesen``."""
    return "".join(
        char
        for char in unicodedata.normalize("NFD", word)
        if not unicodedata.category(char).startswith("M")
    )


class AccentFoldingEnglish(SearchEnglish):
    """Sphinx's English search, with accents folded in the index and in the query."""

    js_stemmer_code = SearchEnglish.js_stemmer_code + _JS_FOLDING

    def stem(self, word: str) -> str:
        return super().stem(fold_accents(word))


def setup(app: Sphinx) -> None:
    app.add_search_language(AccentFoldingEnglish)
