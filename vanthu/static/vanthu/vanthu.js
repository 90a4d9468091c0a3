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

  // Date boxes (input.input-date: dd/mm/yyyy text, parsed on the server): a calendar button beside
  // each opens the browser's own date picker, and the day chosen there is written back into the
  // box as dd/mm/yyyy. Typing stays the fast way; the picker is for finding a weekday.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoOf(text) {
    var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/.exec(text || "");
    return m ? m[3] + "-" + pad(+m[2]) + "-" + pad(+m[1]) : "";
  }
  function dmyOf(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : "";
  }
  function addPicker(box) {
    if (box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    var wrap = document.createElement("span");
    wrap.className = "date-box";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var picker = document.createElement("input");
    picker.type = "date";
    picker.className = "date-picker";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-picker-btn";
    // Out of the tab order: a clerk registering a pile of paper types the date and tabs on to the
    // next field; the picker is for the mouse and the finger (the box itself takes any typed day).
    button.tabIndex = -1;
    button.title = box.dataset.pickerLabel || "";
    button.setAttribute("aria-label", box.dataset.pickerLabel || "");
    wrap.appendChild(button);
    wrap.appendChild(picker);
    button.addEventListener("click", function () {
      picker.value = isoOf(box.value);
      try { picker.showPicker(); } catch (e) { picker.focus(); picker.click(); }
    });
    picker.addEventListener("change", function () {
      if (!picker.value) return;
      box.value = dmyOf(picker.value);
      // The box changed as if typed: htmx previews and form checks listen for these.
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.dispatchEvent(new Event("change", { bubbles: true }));
      box.focus();
    });
  }
  function addPickers(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input.input-date").forEach(addPicker);
  }
  window.vanthuDatePickers = addPickers;
  ready(function () {
    addPickers(document);
    // Forms htmx brings in later get their buttons too.
    document.body.addEventListener("htmx:load", function (e) { addPickers(e.target); });
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
