// Small page behaviours that need no build step. Every page works without them.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  // Vietnamese folded for matching, exactly as the server folds it (vanthu/search/fold.py; both are
  // tested against vanthu/search/tests/fold_cases.json): every letter to its base, đ/Đ (and the
  // look-alike Ð/ð that text converted from old encodings carries) to d, lower case. Case is
  // lowered before đ is replaced, so that a capital Đ folds too.
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[đð]/g, "d").normalize("NFC");
  }
  window.vanthuFold = fold;
  ready(function () {
    // An in-place action the server refused (403, 404, 500): htmx swaps nothing, so say so.
    var problem = document.getElementById("htmx-error");
    document.body.addEventListener("htmx:responseError", function (e) {
      if (!problem) return;
      problem.textContent = problem.dataset.message + " (" + e.detail.xhr.status + ")";
      problem.hidden = false;
      problem.scrollIntoView({ block: "nearest" });
    });
    document.body.addEventListener("htmx:beforeRequest", function () { if (problem) problem.hidden = true; });
    // The organisation switcher submits as soon as a choice is made.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    // "In sổ": the browser's print dialog (the print stylesheet hides everything but the register).
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function () { window.print(); });
    });
    // Search boxes that narrow a list of checkboxes (the recipients tree).
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var items = document.querySelectorAll(input.getAttribute("data-filter"));
      items.forEach(function (li) { li.dataset.folded = fold(li.dataset.text || li.textContent); });
      input.addEventListener("input", function () {
        var q = fold(input.value.trim());
        items.forEach(function (li) { li.hidden = q !== "" && li.dataset.folded.indexOf(q) === -1; });
      });
      // Enter in the search box must not submit the whole form.
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    });
  });
})();
