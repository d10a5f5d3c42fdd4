/* The score grid: move between cells from the keyboard like a spreadsheet.
   Arrow keys move (left/right only when the caret is at the edge of the text),
   Enter moves down (and never submits the form), Tab keeps its usual order.
   Each cell is saved by htmx on "change"; this file only moves the focus,
   marks a cell invalid at once when it is over its maximum, adds a cell's
   note field when its value is below full marks and makes a computed cell's
   override box when the scorer presses its "override". */
(function () {
  "use strict";
  var grid = document.getElementById("vg-grid");
  if (!grid) { return; }

  // The page's cells come without hx-post and inputmode, the same on each of 600 cells: set here from the
  // table's data-cell-url. This script runs before DOMContentLoaded, when htmx reads the page; a cell that
  // a save answers with carries its own.
  var cellUrl = grid.getAttribute("data-cell-url");
  Array.prototype.forEach.call(grid.querySelectorAll("input.vg-cell"), function (input) {
    input.setAttribute("inputmode", "decimal");
    if (cellUrl && !input.disabled && !input.hasAttribute("hx-post")) { input.setAttribute("hx-post", cellUrl); }
  });
  if (window.htmx && document.readyState !== "loading") { window.htmx.process(grid); }

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

  // A computed cell's override box: made from the page's template the first time its "override" is
  // pressed (the page carries none of them), then shown and hidden. A hidden box's fields are disabled,
  // so the form does not send them.
  var overrideTemplate = document.getElementById("vg-override-template");
  var ovButtons = grid.querySelectorAll("button.vg-ov");
  Array.prototype.forEach.call(ovButtons, function (button) { button.setAttribute("aria-expanded", "false"); });

  function cellKey(td) {
    // s-<person>-<indicator>, from the row and the column's header (i<indicator>).
    var head = grid.tHead.rows[0].cells[td.cellIndex];
    return { person: td.parentNode.getAttribute("data-person"), indicator: head.id.slice(1) };
  }

  function computedPoints(button) {
    var stated = button.getAttribute("data-computed");
    return stated !== null ? stated : button.parentNode.querySelector(".vg-computed-value").textContent.trim();
  }

  // An override needs its reason (the service refuses one without): the browser asks for it as soon as
  // the points differ from the computed ones.
  function requireReason(box, computed) {
    var text = box.querySelector(".vg-override-points").value.trim();
    box.querySelector(".vg-override-reason").required =
      text !== "" && !(computed !== "" && parseFloat(text) === parseFloat(computed));
  }

  function explain(box, url) {
    // How the rule read the records: the records page's sentence, fetched once when the box is made.
    var why = box.querySelector(".vg-override-why");
    if (!window.fetch || !window.DOMParser) { return; }
    window.fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var found = html && new window.DOMParser().parseFromString(html, "text/html").getElementById("cell-explanation");
        if (found) { why.textContent = found.textContent; }
      }).catch(function () { /* the records link beside the points still has it */ });
  }

  function makeOverride(button) {
    var td = button.closest("td");
    var key = cellKey(td);
    var computed = computedPoints(button);
    var box = overrideTemplate.content.firstElementChild.cloneNode(true);
    var points = box.querySelector(".vg-override-points");
    var reason = box.querySelector(".vg-override-reason");
    var id = "vg-ov-" + key.person + "-" + key.indicator;
    var headers = " i" + key.indicator + " p" + key.person;
    box.id = id;
    points.name = "s-" + key.person + "-" + key.indicator;
    reason.name = "n-" + key.person + "-" + key.indicator;
    points.placeholder = computed;
    points.setAttribute("aria-labelledby", "vg-ov-points-label" + headers);
    reason.setAttribute("aria-labelledby", "vg-ov-reason-label" + headers);
    points.value = button.getAttribute("data-points") || "";
    reason.value = button.getAttribute("data-reason") || "";
    button.setAttribute("aria-controls", id);
    td.appendChild(box);
    requireReason(box, computed);
    box.addEventListener("input", function () { requireReason(box, computed); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); toggleOverride(button, false); button.focus(); }
    });
    explain(box, button.parentNode.querySelector(".vg-computed-value").href);
    return box;
  }

  function toggleOverride(button, open) {
    var id = button.getAttribute("aria-controls");
    var box = id ? document.getElementById(id) : null;
    if (!box) {
      if (!open || !overrideTemplate) { return; }
      box = makeOverride(button);
    }
    box.hidden = !open;
    // Only the fields: a disabled submit button would stop Enter submitting the form from any other box.
    Array.prototype.forEach.call(box.querySelectorAll("input"), function (el) { el.disabled = !open; });
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { box.querySelector(".vg-override-points").focus(); }
  }

  grid.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("button.vg-ov");
    if (!button) { return; }
    e.preventDefault();
    toggleOverride(button, button.getAttribute("aria-expanded") !== "true");
  });

  // The grid came back with an error on an override: its box opens with what the scorer posted.
  Array.prototype.forEach.call(ovButtons, function (button) {
    if (button.hasAttribute("data-points")) { toggleOverride(button, true); }
  });

  grid.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("vg-cell")) { e.target.select(); }
  });
})();
