// The wallboard's side of Blazor's reconnect UI (see ReconnectBanner.razor). Blazor sets the
// components-reconnect-* classes on the banner, which ops.css shows and uses to grey the board.
// Nobody stands at a wallboard to press "Retry", so this keeps trying on its own and reloads the
// page once the server answers but no longer knows this circuit (e.g. after a restart).
const banner = document.getElementById("components-reconnect-modal");
let retryTimer = null;

banner?.addEventListener("components-reconnect-state-changed", event => {
    const state = event.detail?.state;
    if (state === "hide") stopRetrying();
    else if (state === "failed") startRetrying();
    else if (state === "rejected") location.reload();
    else if (state === "paused") resume();
});

function startRetrying() {
    if (retryTimer === null) retryTimer = setInterval(retry, 5000);
}

function stopRetrying() {
    if (retryTimer !== null) clearInterval(retryTimer);
    retryTimer = null;
}

async function retry() {
    try {
        const reconnected = await Blazor.reconnect();
        if (!reconnected) {
            // The server is back but the circuit is gone.
            const resumed = await Blazor.resumeCircuit?.();
            if (!resumed) location.reload();
        }
        stopRetrying();
    } catch {
        // Still unreachable: the next interval tries again.
    }
}

async function resume() {
    try {
        if (!(await Blazor.resumeCircuit())) location.reload();
    } catch {
        startRetrying();
    }
}
