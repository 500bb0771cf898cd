// A chart's data table ("Data as a table", components/chart_text.py) comes as escaped HTML in
// its box's data-table attribute and is drawn here once the reader opens it, and again when
// a callback brings the box new data while it is open. Closed tables cost a page nothing.
(function () {
  const OPEN = "details.chart-data[open] .chart-data-table[data-table]";
  const drawn = new WeakMap(); // each box: the HTML it shows

  function draw() {
    document.querySelectorAll(OPEN).forEach(function (box) {
      if (drawn.get(box) !== box.dataset.table) {
        box.innerHTML = box.dataset.table; // built on the server, every text escaped
        drawn.set(box, box.dataset.table);
      }
    });
  }

  function start() {
    document.addEventListener("toggle", draw, true); // a <details> opened
    new MutationObserver(draw).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-table"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
