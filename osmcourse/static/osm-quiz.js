/* The reading checks (osmcourse/book/quiz.py writes the markup).

   Each question is a fieldset of native radio buttons or a text field, a "Check answer"
   button and a status region (role="status", an ARIA live region) that screen readers
   announce. Checking an answer shows the verdict and the reason from the page itself: no
   request, no storage (no cookies, localStorage or sessionStorage), no third-party code.
   The keyboard works as in any form: Tab between fields and buttons, arrow keys between
   options, Enter in a numeric field checks it. */
(function () {
  "use strict";

  /* "2,000", "2 000", "0.5" and "0,5" are numbers; anything else is not. */
  function parseNumber(text) {
    var cleaned = text.trim().replace(/[\s\u00a0\u202f]/g, "");
    if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(cleaned)) {
      cleaned = cleaned.replace(/,/g, "");
    } else {
      cleaned = cleaned.replace(",", ".");
    }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(cleaned)) {
      return null;
    }
    return Number(cleaned);
  }

  function reason(question, selector) {
    var found = question.querySelector(".osm-quiz-reasons " + selector);
    return found ? found.textContent : "";
  }

  function clearMarks(question) {
    question.querySelectorAll(".osm-quiz-mark").forEach(function (mark) { mark.remove(); });
    question.querySelectorAll(".osm-quiz-choice, .osm-quiz-numeric").forEach(function (field) {
      field.classList.remove("osm-quiz-right", "osm-quiz-wrong");
    });
  }

  function mark(field, right) {
    var label = document.createElement("span");
    label.className = "osm-quiz-mark";
    label.textContent = right ? "\u2713 correct" : "\u2717 not this one";
    field.classList.add(right ? "osm-quiz-right" : "osm-quiz-wrong");
    field.appendChild(label);
  }

  function say(question, verdict, text, right) {
    var feedback = question.querySelector(".osm-quiz-feedback");
    var source = question.getAttribute("data-source");
    feedback.classList.remove("osm-quiz-right", "osm-quiz-wrong", "osm-quiz-prompting");
    feedback.classList.add(right === true ? "osm-quiz-right" : right === false ? "osm-quiz-wrong" : "osm-quiz-prompting");
    /* Rebuilt as new text each time, so screen readers announce the change. */
    feedback.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = verdict;
    feedback.appendChild(strong);
    if (text) {
      feedback.appendChild(document.createTextNode(" " + text));
    }
    if (right !== null && source) {
      var where = document.createElement("span");
      where.className = "osm-quiz-source";
      where.textContent = " Where in the chapter: " + source + ".";
      feedback.appendChild(where);
    }
  }

  function checkChoice(question) {
    var chosen = question.querySelector("input[type=radio]:checked");
    clearMarks(question);
    if (!chosen) {
      say(question, "Choose an answer first.", "", null);
      return;
    }
    var explanation = question.querySelector('.osm-quiz-reasons [data-choice="' + chosen.value + '"]');
    var right = explanation.getAttribute("data-correct") === "true";
    mark(chosen.closest(".osm-quiz-choice"), right);
    say(question, right ? "Correct." : "Not quite.", explanation.textContent, right);
  }

  function checkNumeric(question) {
    var field = question.querySelector("input.osm-quiz-numeric");
    var value = parseNumber(field.value);
    clearMarks(question);
    if (value === null) {
      field.setAttribute("aria-invalid", "true");
      say(question, "Type a number, such as 12.", "", null);
      return;
    }
    field.removeAttribute("aria-invalid");
    var answer = Number(question.getAttribute("data-answer"));
    var tolerance = Number(question.getAttribute("data-tolerance"));
    var right = Math.abs(value - answer) <= tolerance + 1e-9;
    field.classList.add(right ? "osm-quiz-right" : "osm-quiz-wrong");
    say(question, right ? "Correct." : "Not quite.",
        reason(question, right ? '[data-outcome="right"]' : '[data-outcome="wrong"]'), right);
  }

  function check(question) {
    if (question.getAttribute("data-kind") === "numeric") {
      checkNumeric(question);
    } else {
      checkChoice(question);
    }
  }

  function setUp(quiz) {
    quiz.querySelectorAll(".osm-quiz-question").forEach(function (question) {
      question.querySelector(".osm-quiz-check").addEventListener("click", function () { check(question); });
      var numeric = question.querySelector("input.osm-quiz-numeric");
      if (numeric) {
        numeric.addEventListener("keydown", function (event) {
          if (event.key === "Enter") {
            event.preventDefault();
            check(question);
          }
        });
      }
      /* A new choice clears the old verdict's marks (the announcement stays until the next check). */
      question.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.addEventListener("change", function () { clearMarks(question); });
      });
    });
    quiz.classList.add("osm-quiz-ready");
  }

  function start() {
    document.querySelectorAll("[data-osm-quiz]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
