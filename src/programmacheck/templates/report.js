// Inlined into every report by html_report.py. Clicking (or Enter/Space on) a heatmap cell shows
// a copy of that cell's evidence block in the side panel; the blocks stay in their cells, hidden
// on screen and shown under each cell in print.
(function () {
  "use strict";
  var panel = document.getElementById("detail");
  if (!panel) { return; }
  var placeholder = panel.querySelector(".placeholder");
  var shown = null;
  var selected = null;

  function show(button) {
    var block = document.getElementById(button.getAttribute("data-detail"));
    if (!block) { return; }
    if (shown) { shown.remove(); }
    if (selected) { selected.classList.remove("selected"); selected.firstElementChild.setAttribute("aria-pressed", "false"); }
    if (placeholder) { placeholder.hidden = true; }
    shown = block.cloneNode(true);
    shown.removeAttribute("id");
    shown.hidden = false;
    panel.appendChild(shown);
    selected = button.parentElement;
    selected.classList.add("selected");
    button.setAttribute("aria-pressed", "true");
    if (window.matchMedia("(max-width: 60rem)").matches) { panel.scrollIntoView({ block: "nearest" }); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("td.cell button");
    if (button) { show(button); }
  });
})();
