// The workspace kept live over one WebSocket: pages refresh what changed, notifications pop up,
// agents on the same ticket see each other, and a reply being written survives a reload.
(function () {
  "use strict";

  const RECONNECT_MAX_MS = 10000;
  const REFRESH_DELAY_MS = 250;
  const TYPING_EVERY_MS = 3000;
  const TYPING_IDLE_MS = 5000;
  const TOAST_MS = 8000;

  const ticketMain = document.querySelector("[data-ticket-id]");
  const ticketId = ticketMain ? Number(ticketMain.dataset.ticketId) : null;
  const isInbox = document.querySelector("main.inbox-layout") !== null;
  const draftKey = ticketId ? "okienko-draft-" + ticketId : null;

  let socket = null;
  let retryMs = 500;
  let typing = false;
  let lastTypingSent = 0;
  let idleTimer = null;
  const others = new Map(); // agent id -> {name, state}

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/workspace/");
    socket.addEventListener("open", function () {
      retryMs = 500;
      document.body.dataset.live = "connected";
      if (ticketId) send({ action: "watch", ticket_id: ticketId });
    });
    socket.addEventListener("message", function (event) {
      const message = JSON.parse(event.data);
      if (message.kind === "tickets") onTickets(message.ticket_ids);
      else if (message.kind === "presence") onPresence(message);
      else if (message.kind === "notification") onNotification(message);
      else if (message.kind === "customer_typing") onCustomerTyping(message.active);
      else if (message.kind === "chat_waiting") onChatWaiting(message);
      else if (message.kind === "chat_message") onChatMessage(message);
    });
    socket.addEventListener("close", function () {
      document.body.dataset.live = "disconnected";
      others.clear();
      showOthers();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
    });
  }

  // Changes: fetch the page's parts again over HTTP (the socket only says which tickets).
  let refreshTimer = null;
  function refreshSoon(refresh) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, REFRESH_DELAY_MS);
  }

  function refreshTicket() {
    htmx.ajax("GET", ticketMain.dataset.liveUrl, { target: "#thread", swap: "none" });
  }

  function refreshInbox() {
    // Never pull the page from under an agent choosing filters or ticking tickets; try again
    // shortly.
    const choosing = document.activeElement && document.activeElement.closest("main form");
    if (choosing || document.querySelector("input[name=ticket]:checked")) {
      refreshSoon(refreshInbox);
      return;
    }
    htmx.ajax("GET", location.href, { target: "#main", select: "#main", swap: "outerHTML" });
  }

  function onTickets(ids) {
    if (ticketId && ids.indexOf(ticketId) !== -1) refreshSoon(refreshTicket);
    else if (isInbox) refreshSoon(refreshInbox);
  }

  // A chat visitor's message as soon as the server has it, until the thread shows the ticket
  // message it became (the same source id) or marked when it was held in quarantine.
  function withSource(selector, source) {
    return Array.prototype.find.call(document.querySelectorAll(selector), function (element) {
      return element.dataset.source === source;
    });
  }

  function onChatMessage(message) {
    const arriving = document.getElementById("arriving");
    if (!arriving || message.ticket_id !== ticketId || withSource("#thread [data-source]", message.source)) return;
    let element = withSource("#arriving [data-source]", message.source);
    if (!element) {
      element = document.getElementById("arriving-message").content.firstElementChild.cloneNode(true);
      element.dataset.source = message.source;
      element.querySelector(".message-body").textContent = message.text;
      message.files.forEach(function (name) {
        const file = document.createElement("li");
        file.textContent = name;
        element.querySelector(".attachments").appendChild(file);
      });
      arriving.appendChild(element);
    }
    if (message.held) element.querySelector(".label").textContent = arriving.dataset.held;
  }

  function settleArriving() {
    document.querySelectorAll("#arriving [data-source]").forEach(function (element) {
      if (withSource("#thread [data-source]", element.dataset.source)) element.remove();
    });
  }

  // Who else is on this ticket.
  function onPresence(message) {
    if (message.state === "left") others.delete(message.agent_id);
    else others.set(message.agent_id, { name: message.name, state: message.state });
    if (message.state === "joined") send({ action: typing ? "typing" : "viewing" });
    showOthers();
  }

  function showOthers() {
    const notice = document.getElementById("collision");
    if (!notice) return;
    const names = [];
    others.forEach(function (other) {
      names.push(other.state === "typing" ? other.name + " (" + notice.dataset.typing + "…)" : other.name);
    });
    notice.hidden = names.length === 0;
    notice.textContent = names.length ? notice.dataset.also + " " + names.join(", ") : "";
  }

  function onComposerInput(event) {
    const field = event.target;
    if (!ticketId || field.name !== "text" || !field.closest("#composer")) return;
    saveDraft(field.value);
    const now = Date.now();
    if (!typing || now - lastTypingSent > TYPING_EVERY_MS) {
      typing = true;
      lastTypingSent = now;
      send({ action: "typing" });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      typing = false;
      send({ action: "viewing" });
    }, TYPING_IDLE_MS);
  }

  // Drafts: kept in this browser until the message is sent.
  function saveDraft(text) {
    try {
      if (text) localStorage.setItem(draftKey, text);
      else localStorage.removeItem(draftKey);
    } catch (error) { /* storage full or denied: the draft lives only in the page */ }
  }

  function restoreDraft() {
    const field = document.querySelector("#composer textarea[name=text]");
    let saved = null;
    try { saved = localStorage.getItem(draftKey); } catch (error) { return; }
    if (field && saved && !field.value) field.value = saved;
  }

  function onRequestDone(event) {
    const form = event.detail.elt;
    if (!draftKey || !form || form.id !== "composer") return;
    if (event.detail.successful) {
      saveDraft("");
      typing = false;
      send({ action: "viewing" });
    } else {
      restoreDraft();
    }
  }

  // Notifications: the count on the bell and a short toast linking to the ticket.
  function onNotification(message) {
    const count = document.querySelector("#bell .bell-count");
    if (count) {
      count.textContent = message.unread;
      count.dataset.unread = message.unread;
      count.hidden = !message.unread;
    }
    if (message.text) showToast(message.text, message.url, "");
  }

  function showToast(text, url, extraClass) {
    const toast = document.createElement("div");
    toast.className = "toast " + extraClass;
    toast.setAttribute("role", "status");
    const link = document.createElement(url ? "a" : "span");
    link.textContent = text;
    if (url) link.href = url;
    toast.appendChild(link);
    document.getElementById("toasts").appendChild(toast);
    setTimeout(function () { toast.remove(); }, TOAST_MS);
  }

  // Live chat: the customer typing on this ticket, and a cue for a chat waiting for an agent.
  let customerTypingTimer = null;
  function onCustomerTyping(active) {
    const line = document.getElementById("customer-typing");
    if (!line) return;
    line.hidden = !active;
    clearTimeout(customerTypingTimer);
    // A visitor who closed the tab says nothing more: the line goes after a while anyway.
    if (active) customerTypingTimer = setTimeout(function () { line.hidden = true; }, 10000);
  }

  function onChatWaiting(message) {
    if (ticketId === message.ticket_id) return;
    showToast(message.subject, message.url, "toast--chat");
    chime();
    if (isInbox) refreshSoon(refreshInbox);
  }

  function chime() {
    // A short two-note sound; browsers allow it once the agent has interacted with the page.
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      const audio = new Context();
      [660, 880].forEach(function (frequency, index) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.08, audio.currentTime + index * 0.18);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + index * 0.18 + 0.16);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + index * 0.18);
        tone.stop(audio.currentTime + index * 0.18 + 0.17);
      });
    } catch (error) { /* no audio: the toast is the cue */ }
  }

  if (draftKey) {
    restoreDraft();
    document.addEventListener("input", onComposerInput);
    document.addEventListener("htmx:afterRequest", onRequestDone);
  }
  document.addEventListener("htmx:oobAfterSwap", settleArriving);
  document.addEventListener("htmx:afterSettle", settleArriving);
  connect();
})();
