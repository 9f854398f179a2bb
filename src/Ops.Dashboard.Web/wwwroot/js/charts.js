// A tiny ApexCharts bridge for TodayChart.razor: create once, update the series in place, destroy.
// ApexCharts (MIT, 4.7.0 from npm) is copied to /lib/apexcharts by the build and loaded on first use.
const libUrl = new URL("../lib/apexcharts/apexcharts.min.js", import.meta.url).href;
let loading = null;

function loadApex() {
    if (globalThis.ApexCharts) return Promise.resolve(globalThis.ApexCharts);
    loading ??= new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = libUrl;
        s.onload = () => resolve(globalThis.ApexCharts);
        s.onerror = () => { loading = null; reject(new Error("cannot load " + libUrl)); };
        document.head.appendChild(s);
    });
    return loading;
}

function hourLabel(v) {
    const h = Math.floor(v + 1e-9);
    return `${String(((h % 24) + 24) % 24).padStart(2, "0")}:00`;
}

// What every chart here shares: dark, no toolbar, zoom or animation, the page's font.
function chartBase(chart) {
    return {
        width: "100%",
        background: "transparent",
        foreColor: "#cbd5e1",
        fontFamily: "inherit",
        toolbar: { show: false },
        zoom: { enabled: false },
        animations: { enabled: false },
        ...chart,
    };
}

// Once per element, even if asked twice while the library is still loading.
async function createOnce(element, makeOptions, seriesCount) {
    if (!element || element._opsChart || element._opsCreating) return;
    element._opsCreating = true;
    try {
        const ApexCharts = await loadApex();
        const chart = new ApexCharts(element, makeOptions());
        element._opsChart = chart;
        element._opsSeriesCount = seriesCount;
        await chart.render();
    } finally {
        delete element._opsCreating;
    }
}

function options(series, xMax) {
    // Type scales with the screen, like the rest of the board (1080p: ~21 px; 2160p: ~42 px).
    const font = Math.max(12, Math.round(window.innerHeight / 52));
    return {
        chart: chartBase({ type: "line", height: "100%", redrawOnParentResize: true, parentHeightOffset: 0 }),
        theme: { mode: "dark" },
        series,
        colors: ["#38bdf8", "#fbbf24"],
        stroke: { width: [0, 4], curve: "smooth" },
        plotOptions: { bar: { columnWidth: "90%" } },
        dataLabels: { enabled: false },
        legend: { show: series.length > 1, fontSize: `${font}px`, position: "top", horizontalAlign: "right" },
        tooltip: { enabled: false },
        grid: { borderColor: "#334155", strokeDashArray: 0, padding: { left: 8, right: 8 } },
        xaxis: {
            type: "numeric",
            min: 0,
            max: xMax ?? 24,
            tickAmount: 8,
            labels: { formatter: hourLabel, style: { fontSize: `${font}px` }, hideOverlappingLabels: true },
            axisTicks: { show: true },
            tooltip: { enabled: false },
        },
        yaxis: {
            min: 0,
            forceNiceScale: true,
            labels: { formatter: v => Math.round(v).toString(), style: { fontSize: `${font}px` } },
        },
        noData: { text: "no contacts yet today", style: { fontSize: `${font}px`, color: "#94a3b8" } },
    };
}

export function create(element, config) {
    return createOnce(element, () => options(config.series, config.xMax), config.series.length);
}

export function update(element, series) {
    const chart = element?._opsChart;
    if (!chart) return;
    // A forecast line that comes or goes changes the series count: the legend follows.
    if (series.length !== element._opsSeriesCount) {
        element._opsSeriesCount = series.length;
        return chart.updateOptions({ series, legend: { show: series.length > 1 } }, false, false);
    }
    return chart.updateSeries(series, false);
}

export function destroy(element) {
    const chart = element?._opsChart;
    if (chart) {
        chart.destroy();
        delete element._opsChart;
    }
}

// Forecast page (ForecastChart.razor): x is the site's local wall-clock time in ms, shown as UTC so that the labels
// are site time whatever the browser's zone. A "rangeArea" series comes as [x, low, high] rows, the rest as [x, y].
// "column" series (the shift plan's gaps) are drawn as bars, stacked with each other but not with the lines.
function forecastSeries(series) {
    return series.map(s => ({
        name: s.name,
        type: s.type,
        data: s.type === "rangeArea" ? s.data.map(p => ({ x: p[0], y: [p[1], p[2]] })) : s.data.map(p => ({ x: p[0], y: p[1] })),
    }));
}

function forecastOptions(config) {
    const series = forecastSeries(config.series);
    const band = series.some(s => s.type === "rangeArea");
    const columns = series.some(s => s.type === "column");
    return {
        chart: chartBase({ type: band ? "rangeArea" : "line", height: 320, stacked: columns, stackOnlyBar: true }),
        theme: { mode: "dark" },
        series,
        colors: config.colors ?? (band ? ["#38bdf8", "#fbbf24"] : ["#f97316", "#a3e635"]),
        fill: { opacity: band ? [0.25, 1] : columns ? series.map(s => s.type === "column" ? 0.85 : 1) : 1 },
        stroke: {
            width: band ? [0, 3] : columns ? series.map(s => s.type === "column" ? 0 : 3) : [3, 2],
            curve: band ? "smooth" : "stepline",
        },
        plotOptions: { bar: { columnWidth: "80%" } },
        dataLabels: { enabled: false },
        legend: { show: true, position: "top", horizontalAlign: "right" },
        tooltip: { shared: true, x: { format: "ddd dd MMM HH:mm" } },
        grid: { borderColor: "#334155" },
        xaxis: { type: "datetime", labels: { datetimeUTC: true, datetimeFormatter: { day: "ddd dd MMM", hour: "HH:mm" } } },
        yaxis: { min: 0, forceNiceScale: true, title: { text: config.unit ?? "" }, labels: { formatter: v => Math.round(v).toString() } },
        noData: { text: "no forecast", style: { color: "#94a3b8" } },
    };
}

export function createForecast(element, config) {
    return createOnce(element, () => forecastOptions(config), config.series.length);
}

export function updateForecast(element, series) {
    const chart = element?._opsChart;
    if (chart) return chart.updateSeries(forecastSeries(series), false);
}
