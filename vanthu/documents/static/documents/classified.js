// A classified level chosen in a form is refused at once, with the plain reason, before any file
// is sent: classified documents never enter VanThu (the server refuses them too, whatever arrives).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-classified-refusal]").forEach(function (sel) {
      var note = document.createElement("p");
      note.className = "error";
      note.id = sel.id + "_refused";
      note.setAttribute("role", "alert");
      note.textContent = sel.dataset.classifiedRefusal;
      var buttons = sel.form ? sel.form.querySelectorAll("button[type=submit]") : [];
      var check = function () {
        var refused = sel.value !== "" && sel.value !== sel.dataset.ordinary;
        if (refused && !note.isConnected) sel.insertAdjacentElement("afterend", note);
        if (!refused && note.isConnected) note.remove();
        sel.setAttribute("aria-invalid", refused ? "true" : "false");
        if (refused) sel.setAttribute("aria-describedby", note.id); else sel.removeAttribute("aria-describedby");
        buttons.forEach(function (b) { b.disabled = refused; });
      };
      sel.addEventListener("change", check);
      check();
    });
  });
})();
