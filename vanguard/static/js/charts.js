/* The staff pages' charts, drawn with ECharts from data the page carries in
   <script type="application/json"> blocks (json_script), labels from data-
   attributes. Tooltips render on the canvas (renderMode richText): ECharts' HTML
   tooltips put style="" attributes into markup, which the CSP refuses. */
(function () {
  "use strict";
  var RED = ["#c8102e", "#f2a541", "#2f6f8f", "#3d7a4a"];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function projectMap() {
    var district = document.getElementById("chart-district");
    var category = document.getElementById("chart-category");
    var f = data("map-figures");
    if (!district || !category || !f) { return; }
    echarts.init(district).setOption({color: RED,
      title: {text: district.dataset.title, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {bottom: 0}, grid: {bottom: 60},
      xAxis: {type: "category", data: f.districts}, yAxis: {type: "value", minInterval: 1},
      series: f.series.map(function (s) { return {name: s.name, type: "bar", stack: "all", data: s.data}; })});
    echarts.init(category).setOption({color: RED,
      title: {text: category.dataset.title, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "item", renderMode: "richText"}, legend: {bottom: 0},
      series: [{type: "pie", radius: ["35%", "65%"], data: f.categories}]});
  }

  function ratingsTrend() {
    var el = document.getElementById("trend");
    var raw = data("chart-data");
    if (!el || raw === null) { return; }
    var d = typeof raw === "string" ? JSON.parse(raw) : raw;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"},
      legend: {data: [el.dataset.daily, el.dataset.monthly]},
      xAxis: {type: "category", data: d.days.length ? d.days : d.months},
      yAxis: {type: "value", min: function (v) { return Math.max(0, Math.floor(v.min - 2)); }, max: 100},
      series: [{name: el.dataset.daily, type: "line", showSymbol: false, data: d.day_rates}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  projectMap();
  ratingsTrend();
})();
