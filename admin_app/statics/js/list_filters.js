// The list's filter panel (templates/admin_app/lists/filters.html), enhanced:
// - closed on narrow screens, and remembered open or closed in this browser
//   (per list) once the person opens or closes it;
// - a foreign key's picker searches the related rows by label as you type
//   (the same lookup as a form's picker, at /{identity}/filter-lookup);
// - empty boxes are not sent, so a filter's URL holds only what it uses.
// Without this script the panel is a plain <details>, the picker a
// <select multiple> of the current picks beside a key box.
(function () {
  "use strict";

  var panel = document.getElementById("filter-panel");
  if (panel) {
    var key = panel.getAttribute("data-remember");
    var stored = null;
    try {
      stored = window.localStorage.getItem(key);
    } catch (error) {
      stored = null;
    }
    if (stored === "open") {
      panel.open = true;
    } else if (stored === "closed") {
      panel.open = false;
    } else if (window.matchMedia("(max-width: 767.98px)").matches) {
      panel.open = false;
    }
    var summary = panel.querySelector("summary");
    summary.addEventListener("click", function () {
      // After the click has opened or closed the panel.
      window.setTimeout(function () {
        try {
          window.localStorage.setItem(key, panel.open ? "open" : "closed");
        } catch (error) {
          // Storage refused (private mode): the panel just isn't remembered.
        }
      }, 0);
    });
  }

  document.querySelectorAll("form.filter-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input:not([type=hidden])").forEach(function (input) {
        if (!input.value) {
          input.disabled = true;
        }
      });
    });
  });

  if (window.jQuery && window.jQuery.fn.select2) {
    var $ = window.jQuery;
    $('select[data-role="filter-picker"]').each(function () {
      var $select = $(this);
      $select.select2({
        width: "100%",
        minimumInputLength: 1,
        placeholder: $select.data("placeholder") || "",
        ajax: {
          url: $select.data("url"),
          dataType: "json",
          delay: 250,
          data: function (params) {
            return {
              name: $select.data("name"),
              term: params.term,
              page: params.page || 1,
            };
          },
          processResults: function (data) {
            return {
              results: data.results || [],
              pagination: { more: !!(data.pagination && data.pagination.more) },
            };
          },
        },
      });
    });
    // Named by their labels, as a form's pickers are (statics/js/pickers.js).
    if (window.adminAppNamePickers && panel) {
      window.adminAppNamePickers(panel);
    }
  }
})();
