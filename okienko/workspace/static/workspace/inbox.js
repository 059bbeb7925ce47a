// Ticking tickets in the inbox for a bulk change: the count, "tick all on this page", and the
// bar of changes shown only while something is ticked (without JavaScript it always shows).
// Elements are looked up on each event: a live refresh swaps the page's content in anew.
(function () {
  "use strict";

  function boxes() {
    return Array.from(document.querySelectorAll("input[name=ticket][form=bulk]"));
  }

  function update() {
    const bar = document.getElementById("bulk");
    if (!bar) return;
    const all = document.querySelector("[data-select-all]");
    const ticked = boxes().filter(function (box) { return box.checked; }).length;
    bar.querySelector("[data-selected-count]").textContent = ticked;
    bar.hidden = ticked === 0;
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
    boxes().forEach(function (box) { box.closest("tr").classList.toggle("is-ticked", box.checked); });
  }

  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-select-all]");
    if (all) boxes().forEach(function (box) { box.checked = all.checked; });
    if (all || event.target.matches("input[name=ticket][form=bulk]")) update();
  });
  document.addEventListener("htmx:afterSettle", update);
  update();
})();
