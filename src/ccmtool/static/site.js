/* ccm site: sortable and filterable tables.
 *
 * Progressive: without JavaScript every table is complete, in its default order. Text is
 * read with textContent and written with createElement/textContent only, never parsed as HTML,
 * so nothing from the data can become markup here either.
 */
(function () {
  "use strict";

  function cellText(row, index) {
    var cell = row.cells[index];
    if (!cell) {
      return "";
    }
    var key = cell.getAttribute("data-sort");
    return (key === null ? cell.textContent : key).trim();
  }

  function compare(a, b) {
    if (a === b) {
      return 0;
    }
    if (a === "") {
      return 1; // empty cells last, whichever the direction
    }
    if (b === "") {
      return -1;
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function makeSortable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) {
      return;
    }
    var headers = Array.prototype.slice.call(head.rows[0].cells);
    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) {
          h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (r1, r2) {
            var order = compare(cellText(r1, index), cellText(r2, index));
            return ascending ? order : -order;
          });
          rows.forEach(function (row) {
            body.appendChild(row);
          });
        });
      });
    });
  }

  function makeFilterable(table, number) {
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      rows = rows.concat(Array.prototype.slice.call(body.rows));
    });
    if (rows.length < 8) {
      return; // a short table is read at a glance
    }
    var box = document.createElement("p");
    box.className = "filter";
    var label = document.createElement("label");
    var id = "filter-" + number;
    label.htmlFor = id;
    label.textContent = "Filter rows: ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var shown = document.createElement("span");
    shown.className = "shown";
    shown.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(shown);
    var anchor = table.parentNode.classList.contains("table-wrap") ? table.parentNode : table;
    anchor.parentNode.insertBefore(box, anchor);
    var texts = rows.map(function (row) {
      return row.textContent.toLowerCase();
    });
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var visible = 0;
      rows.forEach(function (row, i) {
        var match = words.every(function (word) {
          return texts[i].indexOf(word) !== -1;
        });
        row.hidden = !match;
        if (match) {
          visible += 1;
        }
      });
      shown.textContent = words.length ? " " + visible + " of " + rows.length + " rows" : "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.data");
    Array.prototype.forEach.call(tables, function (table, number) {
      makeSortable(table);
      makeFilterable(table, number);
    });
    document.documentElement.classList.add("js");
  });
})();
