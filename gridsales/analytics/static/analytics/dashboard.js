// The dashboard's charts (ECharts) and map (Leaflet); the numbers come from the page
// (json_script) and from /analytics/map.json, all computed by the KPI engine.
(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const labels = document.getElementById("chart-labels").dataset;
  const num = (v) => (v === null || v === undefined ? null : parseFloat(v));

  const seriesEl = document.getElementById("series-chart");
  if (seriesEl && window.echarts) {
    const data = read("series-data");
    const chart = echarts.init(seriesEl);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {data: [labels.revenue, labels.target]},
      grid: {left: 60, right: 16, top: 32, bottom: 28},
      xAxis: {type: "category", data: data.months},
      yAxis: {type: "value"},
      series: [
        {name: labels.revenue, type: "bar", data: data.revenue.map(num)},
        {name: labels.target, type: "line", data: data.target.map(num), connectNulls: false},
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  const funnelEl = document.getElementById("funnel-chart");
  if (funnelEl && window.echarts) {
    const rows = read("funnel-data");
    const chart = echarts.init(funnelEl);
    chart.setOption({
      tooltip: {trigger: "item", formatter: (p) => `${p.name}: ${p.value} (${p.data.amount})`},
      series: [{
        type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8,
        label: {show: true, position: "inside", formatter: "{b}: {c}"},
        data: rows.map((r) => ({name: r.stage, value: r.deals, amount: r.amount})),
      }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  const mapEl = document.getElementById("dashboard-map");
  if (!mapEl || !window.L) return;
  const map = L.map(mapEl).setView([31.2, 121.45], 9);
  const palette = ["#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850"];
  const status = document.querySelector("[data-testid=map-status]");
  let layer = null, legend = null;
  function colour(cls, n) {
    if (cls === null) return "#cccccc";
    // n classes spread over the palette, worst (lowest) red, best green.
    const i = n <= 1 ? palette.length - 1 : Math.round((cls * (palette.length - 1)) / (n - 1));
    return palette[i];
  }
  function load(url) {
    fetch(url, {credentials: "same-origin"}).then((r) => r.json()).then((data) => {
      document.getElementById("map-metric").value = data.metric;
      if (layer) map.removeLayer(layer);
      if (legend) legend.remove();
      const classes = data.breaks.length + 1;
      layer = L.geoJSON(data, {
        style: (f) => ({color: "#334", weight: 1, fillOpacity: 0.65, fillColor: colour(f.properties.class, classes), className: "grid-shape"}),
        onEachFeature: (f, l) => {
          const p = f.properties;
          l.bindTooltip(`${p.code} ${p.name}<br>${data.label}: ${p.display}`, {sticky: true});
          l.on("click", () => { window.location = p.url; });
        },
      }).addTo(map);
      const codes = data.features.map((f) => f.properties.code);
      status.textContent = codes.length ? "" : mapEl.dataset.labelNone;
      status.dataset.codes = codes.join(",");
      if (codes.length) map.fitBounds(layer.getBounds(), {animate: false});
      legend = L.control({position: "bottomright"});
      legend.onAdd = () => {
        const div = L.DomUtil.create("div", "map-legend");
        const rows = [`<strong>${data.label}</strong>`];
        for (let i = 0; i < classes; i++) {
          const from = i === 0 ? "" : `> ${data.legend[i - 1]}`;
          const to = i < data.legend.length ? `≤ ${data.legend[i]}` : "";
          rows.push(`<i style="background:${colour(i, classes)}"></i>${[from, to].filter(Boolean).join(" ")}`);
        }
        rows.push(`<i style="background:#cccccc"></i>${mapEl.dataset.labelEmpty}`);
        div.innerHTML = rows.join("<br>");
        div.dataset.testid = "map-legend";
        return div;
      };
      legend.addTo(map);
    });
  }
  load(mapEl.dataset.url);
  document.getElementById("map-metric").addEventListener("change", (e) => {
    const url = new URL(mapEl.dataset.url, window.location.href);
    url.searchParams.set("metric", e.target.value);
    load(url.pathname + url.search);
  });
})();
