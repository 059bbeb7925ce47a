// Okienko's chat widget. One tag adds it to any page:
//   <script src="https://okienko.example/static/chat/widget.js" data-okienko-chat="KEY" async></script>
// No framework; styles live in a shadow root so the page and the widget leave each other alone.
// Messages wait in an outbox (kept in localStorage) until the server acknowledges them, and are
// sent again after a reconnect; the server knows a resend by its id, so nothing is lost or doubled.
(function () {
  "use strict";

  const script = document.currentScript || document.querySelector("script[data-okienko-chat]");
  if (!script || window.__okienkoChat) return;
  window.__okienkoChat = true;
  const KEY = script.dataset.okienkoChat;
  const BASE = new URL(script.src, location.href).origin;
  const STORE = "okienko-chat-" + KEY;
  const LANG = (document.documentElement.lang || navigator.language || "pl").slice(0, 2).toLowerCase();
  const RETRY_MAX_MS = 10000;
  const TYPING_EVERY_MS = 3000;
  const TYPING_IDLE_MS = 4000;
  const RATE_LIMIT_RETRY_MS = 30000;
  const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

  let socket = null;
  let retryMs = 500;
  let config = null;
  let lastId = 0;
  let readByAgent = 0;
  let readSent = 0;
  let typingSentAt = 0;
  let typingTimer = null;
  let theirTypingTimer = null;
  const shown = new Map(); // message id -> element
  const pending = new Map(); // client id -> element, until acknowledged
  const unsent = new Map(); // client id -> message with its files, until acknowledged

  // Storage: the visitor's token and the unacknowledged messages survive a reload.
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (error) { return {}; }
  }
  function save(changes) {
    const state = Object.assign(load(), changes);
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (error) { /* private mode */ }
  }
  function outbox() { return load().outbox || []; }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // The widget's elements, in a shadow root.
  const host = document.createElement("div");
  host.id = "okienko-chat";
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    '<style>' +
    ':host{all:initial;--c:#0b6e4f;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2327}' +
    '*{box-sizing:border-box;font:inherit}' +
    '.launch{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '.launch svg{width:28px;height:28px;fill:currentColor}' +
    '.launch:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}' +
    '.panel{position:fixed;right:20px;bottom:92px;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden;z-index:2147483000}' +
    '.panel[hidden]{display:none}' +
    'header{background:var(--c);color:#fff;padding:14px 16px;display:flex;align-items:flex-start;gap:8px}' +
    'header h2{margin:0;font-size:17px;font-weight:600;flex:1}' +
    'header p{margin:4px 0 0;font-size:13px;opacity:.95}' +
    '.x{background:none;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:0 4px}' +
    '.body{flex:1;overflow-y:auto;background:#f6f7f9}' +
    '.log{padding:12px;display:flex;flex-direction:column;gap:8px}' +
    '.m{max-width:85%;padding:8px 11px;border-radius:12px;background:#fff;border:1px solid #e1e4e8;white-space:pre-wrap;overflow-wrap:anywhere}' +
    '.m.customer{align-self:flex-end;background:var(--c);color:#fff;border-color:transparent}' +
    '.m.customer a{color:#fff}' +
    '.m.system{align-self:center;background:none;border:0;color:#57606a;font-size:13px;text-align:center}' +
    '.m.bot{border-style:dashed}' +
    '.who{display:block;font-size:12px;color:#57606a;margin-bottom:2px}' +
    '.m.customer .who{color:#e8f5ef}' +
    '.state{display:block;font-size:11px;opacity:.85;text-align:right;margin-top:2px}' +
    '.m img{display:block;max-width:100%;max-height:220px;border-radius:8px;margin-top:4px}' +
    '.fb{display:flex;gap:6px;align-items:center;margin-top:6px;font-size:13px}' +
    '.fb button{border:1px solid var(--c);color:var(--c);background:#fff;border-radius:14px;padding:2px 10px;cursor:pointer}' +
    '.human{margin-top:8px;border:1px solid #fff;color:#fff;background:transparent;border-radius:14px;padding:3px 12px;cursor:pointer;font-size:13px}' +
    '.status{font-size:13px;padding:8px 12px;background:#fff8e1;border-bottom:1px solid #f0e0a0}' +
    '.status.open{background:#eaf6ef;border-color:#cfe8da}' +
    '.line{font-size:13px;color:#57606a;padding:2px 12px;min-height:22px;border-top:1px solid #e1e4e8}' +
    'form{margin:0}' +
    '.compose{display:flex;gap:6px;padding:8px;border-top:1px solid #e1e4e8;align-items:flex-end;background:#fff}' +
    'textarea{flex:1;resize:none;border:1px solid #b8bfc6;border-radius:10px;padding:8px;min-height:40px;max-height:120px}' +
    '.send,.clip{border:0;border-radius:10px;background:var(--c);color:#fff;padding:9px 12px;cursor:pointer}' +
    '.clip{background:#eef0f2;color:#1d2327;position:relative}' +
    '.clip input{position:absolute;inset:0;opacity:0;cursor:pointer;width:100%}' +
    '.details{padding:8px 12px;border-bottom:1px solid #e1e4e8;background:#fff;font-size:13px}' +
    '.details summary{cursor:pointer;color:var(--c)}' +
    '.details label{display:block;margin-top:6px}' +
    '.details input[type=text],.details input[type=email]{width:100%;border:1px solid #b8bfc6;border-radius:8px;padding:6px}' +
    '.details .row{display:flex;gap:6px;align-items:flex-start}' +
    '.details button{margin-top:6px;border:0;border-radius:8px;background:var(--c);color:#fff;padding:6px 12px;cursor:pointer}' +
    '.note{font-size:12px;color:#57606a}' +
    '.err{color:#b42318;font-size:13px;padding:0 12px 4px;margin:0}' +
    '.err:empty{display:none}' +
    '.clip svg{width:18px;height:18px;fill:currentColor;vertical-align:middle}' +
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}' +
    '@media (max-width:480px){.panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0}}' +
    '</style>' +
    '<button class="launch" type="button" aria-expanded="false" aria-controls="p"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg></button>' +
    '<section class="panel" id="p" role="dialog" hidden>' +
    '<header><div style="flex:1"><h2 id="t"></h2><p id="g"></p><button class="human" type="button" hidden></button></div><button class="x" type="button">×</button></header>' +
    '<div class="body"><div class="status" role="status"></div>' +
    '<details class="details"><summary></summary><form class="who-form">' +
    '<label><span class="l-name"></span><input type="text" name="name" autocomplete="name" maxlength="200"></label>' +
    '<label><span class="l-email"></span><input type="email" name="email" autocomplete="email" maxlength="254"></label>' +
    '<label class="row consent"><input type="checkbox" name="consent"><span class="l-consent"></span></label>' +
    '<button type="submit" class="save"></button> <span class="note saved" role="status"></span></form></details>' +
    '<div class="log" role="log" aria-live="polite" tabindex="0"></div></div>' +
    '<div class="line" role="status"><span class="conn"></span><span class="typing"></span></div>' +
    '<p class="err" role="alert"></p>' +
    '<form class="compose"><label class="clip"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"/></svg><span class="sr l-attach"></span><input type="file" accept="image/*,application/pdf" multiple></label>' +
    '<label class="sr l-message" for="ta"></label><textarea id="ta" rows="1" maxlength="4000"></textarea>' +
    '<button class="send" type="submit"></button></form>' +
    '</section>';

  const $ = function (selector) { return root.querySelector(selector); };
  const launch = $(".launch");
  const panel = $(".panel");
  const log = $(".log");
  const textarea = $("textarea");
  const compose = $(".compose");
  const fileInput = $(".clip input");
  const whoForm = $(".who-form");
  const errorLine = $(".err");

  const scroller = $(".body");
  function scrollDown() { scroller.scrollTop = scroller.scrollHeight; }

  function text(name) { return (config && config.text[name]) || ""; }

  function applyConfig(received) {
    config = received;
    host.style.setProperty("--c", /^#[0-9a-f]{6}$/i.test(config.colour) ? config.colour : "#0b6e4f");
    launch.setAttribute("aria-label", text("open"));
    panel.setAttribute("aria-label", text("title"));
    $("#t").textContent = text("title");
    $("#g").textContent = text("greeting");
    $(".x").setAttribute("aria-label", text("close"));
    const status = $(".status");
    status.textContent = text("status");
    status.classList.toggle("open", config.staffed);
    log.setAttribute("aria-label", text("log"));
    $(".l-message").textContent = text("message");
    textarea.placeholder = text("message");
    $(".send").textContent = text("send");
    $(".l-attach").textContent = text("attach");
    $(".clip").title = text("attach");
    $(".l-name").textContent = text("name");
    $(".l-email").textContent = config.staffed ? text("email") : text("email_required");
    $(".l-consent").textContent = text("consent");
    $(".consent").hidden = !config.offers_consent;
    $(".save").textContent = text("save");
    $(".details summary").textContent = config.staffed ? text("details") : text("leave");
    $(".details").hidden = !config.asks_details && config.staffed;
    if (!config.staffed) $(".details").open = true;
    const human = $(".human");
    human.textContent = text("human");
    human.hidden = !config.human;
  }

  function applyConversation(conversation) {
    readByAgent = Math.max(readByAgent, conversation.read_by_agent || 0);
    if (conversation.started) {
      whoForm.elements.name.value = conversation.name || whoForm.elements.name.value;
      whoForm.elements.email.value = conversation.email || whoForm.elements.email.value;
      whoForm.elements.consent.checked = !!conversation.consent;
    }
    if (conversation.by_email || conversation.email_state) {
      $(".saved").textContent = savedNote(conversation, "");
    }
  }

  // What the visitor is told after saving: answers by e-mail, where the proof of the address stands.
  function savedNote(conversation, done) {
    const email = {
      link_sent: "link_sent", verified: "verified", unverified: "link_not_sent", withdrawn: "withdrawn",
    };
    const state = email[conversation.email_state];
    const left = conversation.email_state === "verified" ? text("left_proven") : text("left");
    const parts = [conversation.by_email ? left : done, state ? text(state) : ""];
    // A withdrawn proof comes first: it asks the visitor to act, the thanks before it no longer holds.
    if (conversation.email_state === "withdrawn") parts.reverse();
    return parts.filter(Boolean).join(" ");
  }

  // Text with its web addresses as links; everything else stays text (never HTML).
  function fillText(element, value) {
    value.split(URL_PATTERN).forEach(function (part, index) {
      if (index % 2) {
        const link = document.createElement("a");
        link.href = part;
        link.textContent = part;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        element.appendChild(link);
      } else if (part) {
        element.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(message) {
    const element = document.createElement("div");
    element.className = "m " + message.author;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = message.author === "customer" ? text("you")
      : message.author === "bot" ? text("bot")
      : message.author === "agent" ? (message.name || text("someone")) : "";
    if (who.textContent) element.appendChild(who);
    const body = document.createElement("span");
    fillText(body, message.text || "");
    element.appendChild(body);
    (message.files || []).forEach(function (file) {
      const link = document.createElement("a");
      link.href = BASE + file.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (file.image) {
        const image = document.createElement("img");
        image.src = BASE + file.url;
        image.alt = file.name;
        link.appendChild(image);
      } else {
        link.textContent = "📄 " + file.name;
      }
      element.appendChild(link);
    });
    if (message.feedback) element.appendChild(feedbackButtons(message.id));
    if (message.author === "customer") {
      const state = document.createElement("span");
      state.className = "state";
      element.appendChild(state);
    }
    return element;
  }

  function feedbackButtons(messageId) {
    // The bot's message asks the question; the buttons answer it.
    const box = document.createElement("div");
    box.className = "fb";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", text("helpful"));
    [["yes", true], ["no", false]].forEach(function (choice) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text(choice[0]);
      button.addEventListener("click", function () {
        send({ type: "feedback", message: messageId, helpful: choice[1] });
        box.remove();
      });
      box.appendChild(button);
    });
    return box;
  }

  function show(message) {
    if (shown.has(message.id)) return;
    const element = render(message);
    element.dataset.id = message.id;
    const waiting = message.cid && pending.get(message.cid);
    if (waiting) {
      waiting.replaceWith(element);
      pending.delete(message.cid);
    } else {
      // In id order: a late message from history goes before newer ones.
      let before = null;
      shown.forEach(function (other, id) { if (id > message.id && (!before || id < Number(before.dataset.id))) before = other; });
      log.insertBefore(element, before && before.parentNode === log ? before : firstPending());
    }
    shown.set(message.id, element);
    lastId = Math.max(lastId, message.id);
    updateSeen();
    scrollDown();
    markRead();
  }

  function firstPending() {
    let first = null;
    pending.forEach(function (element) { if (!first) first = element; });
    return first;
  }

  function updateSeen() {
    shown.forEach(function (element, id) {
      const state = element.querySelector(".state");
      if (state) state.textContent = id <= readByAgent ? "✓✓ " + text("seen") : "✓";
    });
  }

  // Sending: into the outbox first (text in localStorage too; files only in memory), then
  // over the socket whenever it is open.
  function queue(body, attached) {
    const entry = { cid: newId(), text: body, files: attached };
    unsent.set(entry.cid, entry);
    if (!attached.length) save({ outbox: outbox().concat([{ cid: entry.cid, text: body }]) });
    const element = render({ author: "customer", text: body, files: [] });
    attached.forEach(function (file) {
      const note = document.createElement("span");
      note.textContent = " 📄 " + file.name;
      element.insertBefore(note, element.lastChild);
    });
    element.querySelector(".state").textContent = text("sending");
    pending.set(entry.cid, element);
    log.appendChild(element);
    scrollDown();
    transmit(entry);
  }

  function transmit(entry) {
    send({ type: "message", cid: entry.cid, text: entry.text, files: entry.files || [] });
  }

  function acknowledged(cid) {
    save({ outbox: outbox().filter(function (entry) { return entry.cid !== cid; }) });
    unsent.delete(cid);
  }

  function resendAll() {
    outbox().forEach(function (entry) { if (!unsent.has(entry.cid)) unsent.set(entry.cid, entry); });
    unsent.forEach(transmit);
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function markRead() {
    if (panel.hidden || document.visibilityState !== "visible" || lastId <= readSent) return;
    readSent = lastId;
    send({ type: "read", up_to: lastId });
  }

  // The connection: hello (token, what we already have), then the server's welcome.
  function connect() {
    const scheme = BASE.indexOf("https:") === 0 ? "wss:" : "ws:";
    socket = new WebSocket(scheme + BASE.slice(BASE.indexOf(":") + 1) + "/ws/chat/" + encodeURIComponent(KEY) + "/");
    socket.addEventListener("open", function () {
      retryMs = 500;
      $(".conn").textContent = "";
      send({ type: "hello", token: load().token || null, after: lastId, lang: LANG });
    });
    socket.addEventListener("message", function (event) { receive(JSON.parse(event.data)); });
    socket.addEventListener("close", function (event) {
      if (event.code === 4404) return; // no such widget: nothing to reconnect to
      if (config) $(".conn").textContent = text("offline");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    });
  }

  function receive(message) {
    if (message.type === "welcome") {
      if (!config) document.body.appendChild(host);
      applyConfig(message.config);
      applyConversation(message.conversation);
      message.messages.forEach(show);
      readSent = 0;
      markRead();
      resendAll();
    } else if (message.type === "token") {
      save({ token: message.token });
    } else if (message.type === "ack") {
      acknowledged(message.cid);
      // Without the message: it is in the ledger and comes back, with its id, as a "message".
      if (message.message) show(message.message);
      else if (pending.has(message.cid)) pending.get(message.cid).querySelector(".state").textContent = "✓";
    } else if (message.type === "message") {
      show(message.message);
      if (message.message.author !== "customer") theirTyping(false);
    } else if (message.type === "typing") {
      theirTyping(message.active, message.name);
    } else if (message.type === "read") {
      readByAgent = Math.max(readByAgent, message.up_to);
      updateSeen();
    } else if (message.type === "handed_off") {
      $(".human").hidden = true;
    } else if (message.type === "ended") {
      appendNote(text("ended"));
    } else if (message.type === "saved") {
      applyConversation(message.conversation);
      $(".saved").textContent = savedNote(message.conversation, "✓");
    } else if (message.type === "verified") {
      // The visitor opened the link e-mailed to them, maybe in another tab: say so here now.
      applyConversation(message.conversation);
      appendNote(text("verified"));
    } else if (message.type === "unverified") {
      // An undone customer merge withdrew the proof: answers by e-mail wait for a new one, and
      // the saved note (state "withdrawn") asks the visitor to save the address again.
      applyConversation(message.conversation);
      appendNote(text("unverified"));
    } else if (message.type === "error") {
      errorLine.textContent = text("error") + " " + message.text;
      if (message.cid) {
        const element = pending.get(message.cid);
        const entry = unsent.get(message.cid);
        if (message.code === "rate_limited" && entry) {
          // Kept in the outbox and sent again once the limit's minute has passed.
          setTimeout(function () { if (unsent.has(entry.cid)) transmit(entry); }, RATE_LIMIT_RETRY_MS);
        } else if (element) {
          // Refused for good (too long, empty): out of the outbox, marked in the log.
          acknowledged(message.cid);
          pending.delete(message.cid);
          element.querySelector(".state").textContent = "✗";
        }
      }
    }
  }

  function appendNote(value) {
    const note = document.createElement("div");
    note.className = "m system";
    note.textContent = value;
    log.appendChild(note);
    scrollDown();
  }

  function theirTyping(active, name) {
    const line = $(".typing");
    clearTimeout(theirTypingTimer);
    line.textContent = active ? text("typing").replace("%(name)s", name || text("someone")) : "";
    if (active) theirTypingTimer = setTimeout(function () { line.textContent = ""; }, 10000);
  }

  function typingNow() {
    const now = Date.now();
    if (now - typingSentAt > TYPING_EVERY_MS) {
      typingSentAt = now;
      send({ type: "typing", active: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSentAt) send({ type: "typing", active: false });
    typingSentAt = 0;
  }

  function readFiles(list, done) {
    const result = [];
    let left = list.length;
    if (!left) { done(result); return; }
    Array.prototype.forEach.call(list, function (file, index) {
      const reader = new FileReader();
      reader.onload = function () {
        result[index] = { name: file.name, type: file.type, data: String(reader.result).split(",")[1] || "" };
        if (--left === 0) done(result);
      };
      reader.onerror = function () { if (--left === 0) done(result.filter(Boolean)); };
      reader.readAsDataURL(file);
    });
  }

  function setOpen(open) {
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", String(open));
    if (open) { scrollDown(); textarea.focus(); markRead(); } else { launch.focus(); }
  }

  launch.addEventListener("click", function () { setOpen(panel.hidden); });
  $(".x").addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false); });
  document.addEventListener("visibilitychange", markRead);
  textarea.addEventListener("input", typingNow);
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); compose.requestSubmit(); }
  });
  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = textarea.value.trim();
    const chosen = fileInput.files;
    if (!body && !chosen.length) return;
    errorLine.textContent = "";
    readFiles(chosen, function (attached) { queue(body, attached); });
    textarea.value = "";
    fileInput.value = "";
    stopTyping();
  });
  whoForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const form = whoForm.elements;
    send({
      type: "details",
      name: form.name.value,
      email: form.email.value,
      consent: form.consent.checked,
      consent_text: form.consent.checked ? text("consent") : "",
      by_email: !config.staffed && !!form.email.value,
    });
  });
  $(".human").addEventListener("click", function () {
    const cid = newId();
    send({ type: "human", cid: cid, text: text("human_asked") });
    $(".human").hidden = true;
  });

  connect();
})();
