// admin_app: inline rows (admin_app/forms/inlines.py). The page works without
// this script: it holds the children and a few blank rows. This adds a button
// per inline that copies the inline's <template> row, numbered after the last
// one, and counts it in the inline's hidden total, so the server reads it.
(function () {
  "use strict";

  document.querySelectorAll('[data-admin-app="inline"]').forEach(function (inline) {
    var total = inline.querySelector('[data-role="inline-total"]');
    var rows = inline.querySelector('[data-role="inline-rows"]');
    var template = inline.querySelector('[data-role="inline-template"]');
    var button = inline.querySelector('[data-role="inline-add"]');
    if (!total || !rows || !template || !button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.split("__prefix__").join(String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (window.adminAppPickers) {
        window.adminAppPickers(row);
      }
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
