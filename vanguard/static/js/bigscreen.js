/* The hall's big screen: fetches its figures every minute from its own signed data URL and
   keeps showing the last figures it had (kept in localStorage too) while the server is away
   or restarting. No other host is contacted. */
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-source");
  var KEY = "vg-bigscreen:" + url;
  var EVERY = 60000;

  function pick(data, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? null : o[k]; }, data);
  }

  function fill(data, savedAt) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-field]"), function (el) {
      var name = el.getAttribute("data-field");
      if (name === "saved") { el.textContent = savedAt || ""; return; }
      var v = pick(data, name);
      el.textContent = (v === null || v === undefined || v === "") ? "—" : v + (el.getAttribute("data-suffix") || "");
    });
    var stars = document.querySelector("[data-list=stars]");
    stars.textContent = "";
    (data.stars || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = "★ " + s.name + "　" + (s.branch || "");
      stars.appendChild(li);
    });
    ["posts", "roll", "medals"].forEach(function (key) {
      var list = document.querySelector("[data-list=" + key + "]");
      if (!list) { return; }
      list.textContent = "";
      (data[key] || []).forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        list.appendChild(li);
      });
    });
  }

  function offline(on, savedAt) {
    var banner = document.querySelector("[data-offline]");
    banner.hidden = !on;
    if (on) { document.querySelector("[data-field=saved]").textContent = savedAt || ""; }
  }

  function load() {
    fetch(url, {cache: "no-store", credentials: "omit"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      try { localStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* full or disabled: keep going */ }
      fill(data);
      offline(false);
      body.setAttribute("data-loaded", "1");
    }).catch(function () {
      var kept = null;
      try { kept = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
      if (kept) { fill(kept, kept.now); offline(true, kept.now); }
      else { offline(true, ""); }
    });
  }

  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
  if (kept) { fill(kept); }
  load();
  setInterval(load, EVERY);
  window.addEventListener("vg-reload", load);  /* an explicit refresh (used by the browser test) */
})();
