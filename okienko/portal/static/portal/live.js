// A customer's open request page kept live over one WebSocket: when an agent answers or the
// request changes, the page fetches itself again and puts in the parts that changed. The reply
// being written is left alone (its section is swapped only when the request closes or reopens).
(function () {
  "use strict";

  const RECONNECT_MAX_MS = 30000;
  const REFRESH_DELAY_MS = 250;

  const root = document.getElementById("request");
  if (!root || !("WebSocket" in window)) return;
  const ticketId = Number(root.dataset.ticketId);

  let retryMs = 1000;
  let refreshTimer = null;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/portal/");
    socket.addEventListener("open", function () {
      retryMs = 1000;
      socket.send(JSON.stringify({ action: "watch", ticket_id: ticketId }));
      document.body.dataset.live = "connected";
    });
    socket.addEventListener("message", function (event) {
      const message = JSON.parse(event.data);
      if (message.kind === "changed") {
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(refresh, REFRESH_DELAY_MS);
      } else if (message.kind === "gone") {
        location.reload();
      }
    });
    socket.addEventListener("close", function (event) {
      document.body.dataset.live = "disconnected";
      if (event.code === 4401) return; // signed out: nothing to listen to
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
    });
  }

  function refresh() {
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          location.reload();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html) swapParts(new DOMParser().parseFromString(html, "text/html"));
      })
      .catch(function () { /* offline for a moment: the next change or a reload catches up */ });
  }

  function swapParts(fresh) {
    document.title = fresh.title;
    fresh.querySelectorAll("[data-live-part]").forEach(function (part) {
      const current = document.getElementById(part.id);
      if (!current) return;
      // The reply form stays as it is unless the request was solved, reopened or closed; even
      // then the text being written moves into the new form.
      if (part.id === "reply" && current.dataset.livePart === part.dataset.livePart) return;
      const replacement = document.importNode(part, true);
      const written = current.querySelector("textarea");
      const field = replacement.querySelector("textarea");
      if (written && field && written.value) field.value = written.value;
      current.replaceWith(replacement);
    });
  }

  connect();
})();
