/* accesoins — sortable tables: each header button sorts the rows on its column's raw values (data-v);
   aria-sort says the current order to screen readers. Without JavaScript the server's order stays. */
(function () {
  "use strict";
  var collator = new Intl.Collator("fr", { sensitivity: "base", numeric: true });

  function sortBy(table, col, numeric, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      if (x === "" && y === "") return 0;
      if (x === "") return 1;  // missing values last, whatever the order
      if (y === "") return -1;
      var d = numeric ? parseFloat(x) - parseFloat(y) : collator.compare(x, y);
      return ascending ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var status = document.getElementById("sort-status");
    if (status) status.textContent = "Tableau trié par « " + th.textContent.trim() + " », ordre " +
      (ascending ? "croissant" : "décroissant") + ".";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-sortable]").forEach(function (table) {
      table.querySelectorAll("thead button.sort").forEach(function (b) {
        b.addEventListener("click", function () {
          sortBy(table, Number(b.dataset.col), b.dataset.num === "1", b.parentElement);
        });
      });
    });
  });
})();
