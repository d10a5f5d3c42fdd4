/* The leaders' dashboard chart: twelve months of figures from the page's JSON block
   (json_script "figures-trend-data"). Each point is a link: a click opens the rows it counts.
   Tooltips render on the canvas (renderMode richText): the CSP refuses ECharts' HTML tooltips. */
(function () {
  "use strict";
  var el = document.getElementById("figures-trend");
  var source = document.getElementById("figures-trend-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    color: ["#c8102e", "#f2a541", "#3d7a4a", "#2f6f8f"],
    tooltip: {trigger: "axis", renderMode: "richText"},
    legend: {bottom: 0},
    grid: {left: 50, right: 50, top: 20, bottom: 50},
    xAxis: {type: "category", data: d.months},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}}],
    series: d.series.map(function (s) {
      return {name: s.name, type: s.type, data: s.data, yAxisIndex: s.type === "line" ? 1 : 0,
              cursor: "pointer", connectNulls: true};
    })
  });
  chart.on("click", function (p) {
    var s = d.series[p.seriesIndex];
    if (s && s.urls && s.urls[p.dataIndex]) { window.location.href = s.urls[p.dataIndex]; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
