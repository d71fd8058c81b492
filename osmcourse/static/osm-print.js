/* Print: folded reading (dropdowns such as model answers and answer keys, toggled blocks)
   prints open, and folds again afterwards. A stylesheet cannot open a <details> element in
   every browser, so this opens them on "beforeprint" and restores them on "afterprint".
   Folded code cells (myst-nb's "Show code cell" folds, class "hide") stay folded: their code
   is in the lab notebook. */
(function () {
  "use strict";
  var READABLE = "details.sd-dropdown, details.toggle-details";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(READABLE).forEach(function (folded) {
      if (!folded.open) {
        folded.open = true;
        opened.push(folded);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (folded) { folded.open = false; });
    opened = [];
  });
})();
