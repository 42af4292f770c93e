// Charts of the unit dashboard and the big screen (数据大屏), drawn by ECharts from the figures the
// page embeds with json_script (no inline script: CSP). The big screen fetches the same figures
// again every minute and updates its numbers, ranking and charts without reloading the page.
// Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips would need
// inline style attributes, which the CSP refuses.
(() => {
  "use strict";

  const source = document.getElementById("dashboard-data");
  if (!source) return;

  const screen = document.getElementById("screen");
  const locale = document.documentElement.lang.startsWith("zh") ? "ZH" : "EN";
  const LINE_COLOURS = { party: "#c62828", union: "#1e88e5", league: "#43a047", women: "#d81b60" };
  const BAR = "#c62828";
  const LINE = screen ? "#ffca28" : "#1565c0";
  const charts = [];

  function percentText(value) {
    return value === null || value === undefined ? "—" : `${value}%`;
  }

  function numberText(value) {
    return value === null || value === undefined ? "—" : Number(value).toLocaleString();
  }

  function trendOption(data) {
    const labels = data.labels;
    return {
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, data: [labels.activities, labels.participants] },
      grid: { left: 8, right: 8, top: 40, bottom: 4 },
      xAxis: { type: "category", data: data.trend.months },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        {
          name: labels.activities,
          type: "bar",
          data: data.trend.activities,
          itemStyle: { color: BAR },
          barMaxWidth: 28,
        },
        {
          name: labels.participants,
          type: "line",
          yAxisIndex: 1,
          data: data.trend.participants,
          itemStyle: { color: LINE },
          lineStyle: { color: LINE },
        },
      ],
    };
  }

  function linesOption(data) {
    const lines = data.lines.slice().reverse(); // ECharts draws a category axis bottom-up
    return {
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: percentText },
      grid: { left: 8, right: 48, top: 8, bottom: 4 },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", hideOverlap: true } },
      yAxis: { type: "category", data: lines.map((line) => line.label) },
      series: [
        {
          name: data.labels.completion,
          type: "bar",
          barMaxWidth: 36,
          data: lines.map((line) => ({
            value: line.percent ?? 0,
            itemStyle: { color: LINE_COLOURS[line.line] || BAR },
          })),
          label: {
            show: true,
            position: "right",
            formatter: "{c}%",
            color: screen ? "#fff" : "#212529",
            textBorderWidth: 0,
          },
        },
      ],
    };
  }

  const OPTIONS = { trend: trendOption, lines: linesOption };

  function draw(data) {
    document.querySelectorAll("[data-chart]").forEach((element) => {
      const build = OPTIONS[element.dataset.chart];
      if (!build) return;
      let chart = window.echarts.getInstanceByDom(element);
      if (!chart) {
        chart = window.echarts.init(element, screen ? "dark" : null, { locale });
        charts.push(chart);
      }
      chart.setOption(build(data), { notMerge: true });
    });
  }

  function resizeAll() {
    charts.forEach((chart) => chart.resize());
  }

  // --- The big screen: numbers and ranking in the DOM, refreshed every minute ----------------

  function field(data, path) {
    return path.split(".").reduce((value, key) => (value == null ? value : value[key]), data);
  }

  function paceBadge(pace, label) {
    const badge = document.createElement("span");
    badge.className = pace ? `badge pace-badge pace-${pace}` : "text-body-secondary";
    badge.textContent = pace ? label : "—";
    return badge;
  }

  function updateFields(data) {
    screen.querySelectorAll("[data-field]").forEach((element) => {
      const value = field(data, element.dataset.field);
      const format = element.dataset.format;
      if (format === "percent") {
        element.textContent = percentText(value);
      } else if (format === "pace") {
        const headline = data.headline || {};
        element.replaceChildren(paceBadge(value, headline.pace_label));
      } else if (format === "number") {
        element.textContent = numberText(value);
      } else {
        element.textContent = value ?? "";
      }
    });
  }

  function updateRanking(data) {
    const body = screen.querySelector("[data-role='ranking']");
    if (!body) return;
    const rows = (data.ranking || []).map((unit, index) => {
      const row = document.createElement("tr");
      const cells = [
        String(index + 1),
        unit.name,
        percentText(unit.percent),
        numberText(unit.activities),
        numberText(unit.participants),
      ];
      cells.forEach((text, column) => {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (column !== 1) cell.className = "text-end";
        row.append(cell);
      });
      const pace = document.createElement("td");
      pace.append(paceBadge(unit.pace, unit.pace_label));
      row.append(pace);
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement("tr");
      const cell = document.createElement("td");
      cell.colSpan = 6;
      cell.className = "text-body-secondary";
      cell.textContent = body.dataset.empty || "";
      row.append(cell);
      rows.push(row);
    }
    body.replaceChildren(...rows);
  }

  function stamp(element, when) {
    if (element) element.textContent = when.toLocaleTimeString(document.documentElement.lang);
  }

  function refresh() {
    const stale = screen.querySelector("[data-role='stale']");
    fetch(screen.dataset.refreshUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then((response) => {
        const type = response.headers.get("Content-Type") || "";
        // Signed out (a redirect to the login page) or an error: keep the last figures.
        if (!response.ok || !type.includes("application/json")) throw new Error(response.status);
        return response.json();
      })
      .then((data) => {
        if (!data.headline) return;
        updateFields(data);
        updateRanking(data);
        draw(data);
        stamp(screen.querySelector("[data-role='updated']"), new Date());
        if (stale) stale.hidden = true;
      })
      .catch(() => {
        if (stale) stale.hidden = false;
      });
  }

  function startScreen(data) {
    updateFields(data);
    const clock = screen.querySelector("[data-role='clock']");
    stamp(clock, new Date());
    stamp(screen.querySelector("[data-role='updated']"), new Date());
    window.setInterval(() => stamp(clock, new Date()), 1000);
    const seconds = Number(screen.dataset.refreshSeconds) || 60;
    window.setInterval(refresh, seconds * 1000);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.dataset.action === "print") window.print();
    if (button.dataset.action === "fullscreen") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    }
  });

  const initial = JSON.parse(source.textContent);
  if (window.echarts) {
    draw(initial);
    window.addEventListener("resize", resizeAll);
    // Charts are canvases sized for the screen: redraw them at the paper's width and back.
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  }
  if (screen) startScreen(initial);
})();
