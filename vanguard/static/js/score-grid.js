/* The score grid: move between cells from the keyboard like a spreadsheet.
   Arrow keys move (left/right only when the caret is at the edge of the text),
   Enter moves down (and never submits the form), Tab keeps its usual order.
   Each cell is saved by htmx on "change"; this file only moves the focus and
   marks a cell invalid at once when it is over its maximum. */
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
    // Below full marks: show the note field, so the scorer can say why points were lost.
    var note = input.closest(".vg-cellwrap").querySelector("input.vg-note");
    if (note) { note.hidden = !(text !== "" && !bad && parseFloat(text) < max) && note.value === ""; }
  });

  grid.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("vg-cell")) { e.target.select(); }
  });
})();
