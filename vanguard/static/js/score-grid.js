/* The score grid: move between cells from the keyboard like a spreadsheet.
   Arrow keys move (left/right only when the caret is at the edge of the text),
   Enter moves down (and never submits the form), Tab keeps its usual order.
   Each cell is saved by htmx on "change"; this file only moves the focus,
   marks a cell invalid at once when it is over its maximum and adds a cell's
   note field when its value is below full marks. */
(function () {
  "use strict";
  var grid = document.getElementById("vg-grid");
  if (!grid) { return; }

  function cellAt(row, col) {
    var tr = grid.tBodies[0].rows[row];
    if (!tr) { return null; }
    var inputs = tr.querySelectorAll("input.vg-cell");
    return inputs[col] || null;
  }

  function position(input) {
    var tr = input.closest("tr");
    var inputs = Array.prototype.slice.call(tr.querySelectorAll("input.vg-cell"));
    return { row: tr.sectionRowIndex, col: inputs.indexOf(input) };
  }

  function go(input, dRow, dCol) {
    var p = position(input);
    var next = cellAt(p.row + dRow, p.col + dCol);
    if (next && !next.disabled) {
      next.focus();
      next.select();
      return true;
    }
    return false;
  }

  grid.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("vg-cell")) { return; }
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    var moved = false;
    switch (e.key) {
      case "ArrowUp": moved = go(input, -1, 0); break;
      case "ArrowDown": moved = go(input, 1, 0); break;
      case "Enter": go(input, e.shiftKey ? -1 : 1, 0); moved = true; break;
      case "ArrowLeft": if (atStart || all) { moved = go(input, 0, -1); } break;
      case "ArrowRight": if (atEnd || all) { moved = go(input, 0, 1); } break;
      default: return;
    }
    if (moved) { e.preventDefault(); }
  });

  // Immediate feedback before the server answers; the server's check is the one that counts.
  grid.addEventListener("input", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("vg-cell")) { return; }
    var max = parseFloat(input.getAttribute("data-max"));
    var text = input.value.trim();
    var bad = text !== "" && (!/^\d{1,3}(\.\d)?$/.test(text) || parseFloat(text) > max);
    input.classList.toggle("is-invalid", bad);
    input.classList.remove("is-valid");
    // Below full marks: show the note field, so the scorer can say why points were lost. The page
    // renders it only where a cell is below full marks or has a note; here it is made when needed.
    var below = text !== "" && !bad && parseFloat(text) < max;
    var note = noteFor(input, below);
    if (note) { note.hidden = !below && note.value === ""; }
  });

  var noteTemplate = document.getElementById("vg-note-template");

  function noteFor(input, create) {
    var wrap = input.closest(".vg-cellwrap");
    var note = wrap.querySelector("input.vg-note");
    if (note || !create || !noteTemplate) { return note; }
    note = noteTemplate.content.firstElementChild.cloneNode(true);
    var key = input.name.slice(2);  // s-<person>-<indicator>: the note is n-<person>-<indicator>
    var head = document.getElementById("i" + key.split("-")[1]);
    note.name = "n-" + key;
    note.setAttribute("aria-label", note.getAttribute("data-label").replace("{code}", head ? head.getAttribute("data-code") : ""));
    note.removeAttribute("data-label");
    wrap.appendChild(note);
    if (window.htmx) { window.htmx.process(note); }
    return note;
  }

  // The page renders a note field only where a note was written: every other cell below full marks gets
  // its (empty) field here, as if the scorer had just typed the value.
  Array.prototype.forEach.call(grid.querySelectorAll("input.vg-cell:not([disabled])"), function (input) {
    var text = input.value.trim();
    if (text !== "" && parseFloat(text) < parseFloat(input.getAttribute("data-max"))) { noteFor(input, true); }
  });

  grid.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("vg-cell")) { e.target.select(); }
  });
})();
