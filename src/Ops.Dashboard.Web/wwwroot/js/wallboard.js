// Ticks what must move every second without a round trip to the server: the site clock
// ([data-clock-utc] + [data-tz]) and longest waits ([data-tick-seconds]). The server renders each
// value with its base; the browser adds the time elapsed since it saw that base (performance.now,
// so a wrong PC clock does not matter). Only the text node's value is changed, so Blazor's own
// updates of the same node keep working.
(() => {
    "use strict";
    const seen = new WeakMap();
    const formats = new Map();

    function pad(n) { return String(n).padStart(2, "0"); }

    function duration(seconds) {
        const s = Math.max(0, Math.floor(seconds));
        const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
        return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
    }

    function clock(ms, tz) {
        let f = formats.get(tz);
        if (!f) {
            const o = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
            try { f = new Intl.DateTimeFormat("en-GB", { ...o, timeZone: tz }); }
            catch { f = new Intl.DateTimeFormat("en-GB", o); }
            formats.set(tz, f);
        }
        return f.format(new Date(ms));
    }

    function base(el, attr, now) {
        const value = el.getAttribute(attr);
        let s = seen.get(el);
        if (!s || s.value !== value) { s = { value, at: now }; seen.set(el, s); }
        return { value: Number(value), elapsed: now - s.at };
    }

    function setText(el, text) {
        const node = el.firstChild;
        if (node && node.nodeType === Node.TEXT_NODE && node.nodeValue !== text) node.nodeValue = text;
    }

    function tick() {
        const now = performance.now();
        for (const el of document.querySelectorAll("[data-tick-seconds]")) {
            const b = base(el, "data-tick-seconds", now);
            if (!Number.isNaN(b.value)) setText(el, duration(b.value + b.elapsed / 1000));
        }
        for (const el of document.querySelectorAll("[data-clock-utc]")) {
            const b = base(el, "data-clock-utc", now);
            if (!Number.isNaN(b.value)) setText(el, clock(b.value + b.elapsed, el.getAttribute("data-tz") || undefined));
        }
    }

    setInterval(tick, 250);
    document.addEventListener("DOMContentLoaded", tick);
})();
