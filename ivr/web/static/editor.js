// Flow editor: an error's "ligne N" link puts the caret on that line of the textarea, and the
// caret's line is announced politely, so errors can be reached from the keyboard.
"use strict";
(function () {
  const area = document.getElementById("texte");
  if (!area) return;
  const where = document.getElementById("position");

  function lineStart(text, line) {
    let index = 0;
    for (let n = 1; n < line && index !== -1; n += 1) index = text.indexOf("\n", index) + 1;
    return Math.max(0, index);
  }

  function currentLine() {
    return area.value.slice(0, area.selectionStart).split("\n").length;
  }

  document.querySelectorAll("a.goto-line").forEach((link) => {
    if (link.dataset.file !== area.dataset.file) return;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const start = lineStart(area.value, Number(link.dataset.line));
      const end = area.value.indexOf("\n", start);
      area.focus();
      area.setSelectionRange(start, end === -1 ? area.value.length : end);
      const lineHeight = area.scrollHeight / Math.max(1, area.value.split("\n").length);
      area.scrollTop = Math.max(0, (Number(link.dataset.line) - 3) * lineHeight);
      where.textContent = "Ligne " + link.dataset.line;
    });
  });
  area.addEventListener("keyup", (event) => {
    if (event.key === "ArrowUp" || event.key === "ArrowDown" || event.key === "PageUp" ||
        event.key === "PageDown") where.textContent = "Ligne " + currentLine();
  });
  const errors = document.getElementById("erreurs");
  if (errors) errors.focus();
})();
