// Knowledge base helpers: buttons with data-insert put their text into the textarea named by
// data-target at the cursor (an article link or text into a reply, an image into an article).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-insert]");
    if (!button) return;
    const field = document.querySelector(button.dataset.target);
    if (!field) return;
    const text = button.dataset.insert;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? field.value.length;
    const before = field.value.slice(0, start);
    const spacer = before && !before.endsWith("\n") ? "\n\n" : "";
    field.value = before + spacer + text + field.value.slice(end);
    const caret = (before + spacer + text).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    // Let the draft keeper and the preview hear of the change.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
