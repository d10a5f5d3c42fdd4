/* Behaviour of the staff pages, kept out of the markup: the Content-Security-Policy
   runs no inline script or on*="" handler, so templates mark elements with data-
   attributes and this file wires them up.
   - <select data-autosubmit>: submits its form when changed;
   - <form data-confirm="question">: asks before submitting;
   - <select data-dimension-of="field">: sets that field of the form to "unit"
     when a unit is chosen and to "centre" when the blank choice is;
   - <el data-width="42">: a progress bar 42% wide (also in content htmx swaps in). */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    } else if (el.matches("select[data-dimension-of]") && el.form) {
      el.form.elements[el.dataset.dimensionOf].value = el.value ? "unit" : "centre";
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  function widths(root) {
    var found = root.querySelectorAll ? root.querySelectorAll("[data-width]") : [];
    Array.prototype.forEach.call(found, function (el) { el.style.width = el.dataset.width + "%"; });
    if (root.dataset && root.dataset.width) { root.style.width = root.dataset.width + "%"; }
  }

  if (window.htmx) {
    window.htmx.onLoad(widths);  // the first page and every fragment htmx swaps in
  } else {
    document.addEventListener("DOMContentLoaded", function () { widths(document); });
  }
})();
