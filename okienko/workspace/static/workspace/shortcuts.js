// Keyboard shortcuts of the workspace ("?" lists them). They never fire while the agent types
// in a field or holds Ctrl, Alt or Meta; Escape leaves a field so they work again. Each one does
// what a visible control does: the focus moves to real links, the buttons are real buttons.
(function () {
  "use strict";

  const LIST_KEY = "okienko-inbox-list";
  let focusedTicket = null; // the URL of the inbox row the keys move over

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]") !== null;
  }

  // Inbox: the rows in order, remembered so the ticket page can go on to the next one.
  function rows() {
    return Array.from(document.querySelectorAll("tr[data-ticket-url]"));
  }

  function rememberList() {
    if (!rows().length) return;
    try {
      sessionStorage.setItem(LIST_KEY, JSON.stringify({
        inbox: location.pathname + location.search,
        tickets: rows().map(function (row) { return row.dataset.ticketUrl; }),
      }));
    } catch (error) { /* storage denied: j/k on a ticket page just stay put */ }
  }

  function savedList() {
    try { return JSON.parse(sessionStorage.getItem(LIST_KEY)) || null; } catch (error) { return null; }
  }

  function focusRow(row) {
    rows().forEach(function (other) { other.classList.toggle("is-focused", other === row); });
    if (!row) return;
    focusedTicket = row.dataset.ticketUrl;
    row.scrollIntoView({ block: "nearest" });
    row.querySelector("td.cell-subject a").focus();
  }

  function currentRow() {
    return rows().find(function (row) { return row.dataset.ticketUrl === focusedTicket; }) || null;
  }

  function moveInInbox(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(currentRow());
    const next = index === -1 ? (step > 0 ? 0 : all.length - 1) : index + step;
    focusRow(all[Math.max(0, Math.min(all.length - 1, next))]);
  }

  function tickFocused() {
    const row = currentRow();
    const box = row && row.querySelector("input[name=ticket]");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function assignFocusedToMe() {
    const row = currentRow();
    const bulk = document.getElementById("bulk");
    if (!row || !bulk) return;
    document.querySelectorAll("input[name=ticket][form=bulk]").forEach(function (box) {
      box.checked = box.closest("tr") === row;
    });
    bulk.querySelector("[name=assignee]").value = "me";
    bulk.requestSubmit(bulk.querySelector("button[name=operation][value=assign]"));
  }

  // Ticket page.
  function compose(kind) {
    const radio = document.querySelector("#composer input[name=kind][value=" + kind + "]");
    const text = document.querySelector("#composer textarea[name=text]");
    if (!radio || !text) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    text.focus();
  }

  function siblingTicket(step) {
    const list = savedList();
    if (!list) return;
    const index = list.tickets.indexOf(location.pathname);
    const next = list.tickets[index + step];
    if (index !== -1 && next) location.assign(next);
  }

  function backToInbox() {
    const list = savedList();
    location.assign(list ? list.inbox : "/inbox/");
  }

  function showHelp() {
    const help = document.getElementById("shortcuts-help");
    if (help && !help.open) help.showModal();
  }

  const onInbox = {
    j: function () { moveInInbox(1); },
    k: function () { moveInInbox(-1); },
    o: function () { const row = currentRow(); if (row) location.assign(row.dataset.ticketUrl); },
    x: tickFocused,
    a: assignFocusedToMe,
  };
  const onTicket = {
    r: function () { compose("reply"); },
    n: function () { compose("note"); },
    a: function () {
      const button = document.querySelector("#assign-to-me button");
      if (button) button.click();
    },
    j: function () { siblingTicket(1); },
    k: function () { siblingTicket(-1); },
    u: backToInbox,
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    const keys = document.querySelector("[data-ticket-id]") ? onTicket : rows().length ? onInbox : {};
    const action = event.key === "?" ? showHelp : keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-help]")) showHelp();
  });
  // A live refresh swaps the inbox in anew: keep the list and the focused row.
  document.addEventListener("htmx:afterSettle", function () {
    rememberList();
    const row = currentRow();
    if (row) row.classList.add("is-focused");
  });
  rememberList();
})();
