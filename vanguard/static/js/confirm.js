/* A step that cannot be undone: a form with data-confirm asks first, in the words of the
   attribute (what will happen, with the figures the page computed). */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var text = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { e.preventDefault(); }
  });
})();
