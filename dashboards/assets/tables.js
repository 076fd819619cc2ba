/* A chart's "Data as a table" (dashboards/charts.py, data_table): the page sends each table as text, JSON
 * {caption, header, rows} in the <table>'s data-rows attribute, every value already written as the
 * dashboard writes it; this draws it as HTML: a caption, column headers (scope="col"), each row's first
 * value as its header (scope="row"). Text only (textContent): nothing in it is read as HTML.
 *
 * Why here: Dash components made in Python for every cell were most of a long history's page (its
 * rendering time and its bytes), and the same components returned by a callback took Dash's renderer
 * tens of seconds. The <table> is Dash's; its rows are drawn here, again whenever data-rows changes.
 * Dash draws pages after this script loads, so tables are found as they appear.
 */
(function () {
  "use strict";

  var SELECTOR = "table[data-rows]";

  function cell(tag, text, scope) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (scope) { c.setAttribute("scope", scope); }
    return c;
  }

  function parts(text) {
    var head = document.createElement("thead");
    var tr = document.createElement("tr");
    text.header.forEach(function (h) { tr.appendChild(cell("th", h, "col")); });
    head.appendChild(tr);
    var body = document.createElement("tbody");
    text.rows.forEach(function (row) {
      var r = document.createElement("tr");
      row.forEach(function (value, i) { r.appendChild(i === 0 ? cell("th", value, "row") : cell("td", value)); });
      body.appendChild(r);
    });
    return [cell("caption", text.caption), head, body];
  }

  function draw(table) {
    var json = table.getAttribute("data-rows");
    if (table.trainlogRows === json) { return; }
    table.trainlogRows = json;
    try {
      table.replaceChildren.apply(table, parts(JSON.parse(json)));
    } catch (e) {
      table.replaceChildren();  // text it cannot read: an empty table, never an earlier one's rows
    }
  }

  function found(node) {
    if (node.nodeType !== 1) { return; }
    if (node.matches(SELECTOR)) { draw(node); }
    node.querySelectorAll(SELECTOR).forEach(draw);
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "attributes") { found(record.target); } else { record.addedNodes.forEach(found); }
    });
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: ["data-rows"]});
  document.querySelectorAll(SELECTOR).forEach(draw);
})();
