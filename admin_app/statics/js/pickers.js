// Relationship pickers that page. sqladmin's main.js starts every
// data-role="select2-ajax" field asking for one page and ignoring the answer's
// pagination; restart each one asking for `page`, so select2 loads the next
// page when the user scrolls to the end of the results. The current choices
// are <option selected> in the page's HTML (admin_app/forms/widgets.py): select2
// enhances them, and a form posted without this script sends them as shown.
// A result whose label another shares comes with a `detail` (an e-mail, say):
// shown as a second line under the label, and beside it once chosen.
// An inline row's picker (admin_app/forms/inlines.py) is named after its row
// ("items-3-product") and asks the lookup its table names (data-lookup-url) for
// the field's own name ("product"); a list's editable cell (rows-3-requester)
// names the view's picker in data-lookup (admin_app/lists/editable.py). Rows
// added later are started through window.adminAppPickers(root).
(function ($) {
  "use strict";

  function withDetail(item) {
    if (!item.detail) {
      return item.text;
    }
    return $("<span>")
      .append($("<span>").text(item.text))
      .append(
        $('<small class="d-block text-secondary" data-role="picker-detail">').text(
          item.detail
        )
      );
  }

  function chosen(item) {
    return item.detail ? item.text + " (" + item.detail + ")" : item.text;
  }

  function start() {
    var $select = $(this);
    var inline = $select.closest("[data-lookup-url]");
    var name = $select.data("lookup") || $select.attr("name");
    if (inline.length) {
      name = name.replace(/^[^-]+-[0-9]+-/, "");
    }
    var isMultiple = !!$select.prop("multiple");

    if ($select.hasClass("select2-hidden-accessible")) {
      $select.select2("destroy");
    }
    $select.select2({
      minimumInputLength: 1,
      placeholder: $select.attr("placeholder") || "Search",
      allowClear: !!$select.data("allowBlank") && !isMultiple,
      templateResult: withDetail,
      templateSelection: chosen,
      ajax: {
        url: inline.length ? inline.attr("data-lookup-url") : $select.data("url"),
        dataType: "json",
        delay: 250, // one request per pause in typing, not one per key
        data: function (params) {
          return { name: name, term: params.term, page: params.page || 1 };
        },
        processResults: function (data) {
          return {
            results: data.results || [],
            pagination: { more: !!(data.pagination && data.pagination.more) },
          };
        },
      },
    });
  }

  // An inline's rows leave their pickers unmarked (fifty rows, fifty
  // attributes: admin_app/forms/inlines.py): its <template> row says which
  // columns hold pickers, and they are marked here before anything starts.
  $('[data-admin-app="inline"]').each(function () {
    var template = $(this).find('template[data-role="inline-template"]')[0];
    if (!template || !template.content) {
      return;
    }
    var columns = [];
    template.content.querySelectorAll("tr > td").forEach(function (cell, index) {
      if (cell.querySelector('select[data-role="select2-ajax"]')) {
        columns.push(index);
      }
    });
    $(this).find('[data-role="inline-rows"] > tr').each(function () {
      var row = this;
      columns.forEach(function (index) {
        var select = row.children[index] && row.children[index].querySelector("select");
        if (select) {
          select.setAttribute("data-role", "select2-ajax");
        }
      });
    });
  });

  window.adminAppPickers = function (root) {
    $(root).find(':input[data-role="select2-ajax"]').each(start);
  };
  $(':input[data-role="select2-ajax"]').each(start);
})(jQuery);

// Pickers named for screen readers and reached by keyboard. select2 draws its
// own combobox (a <span role="combobox">) beside the hidden <select>, named by
// the current choice alone, and a multiple one by nothing: name each by the
// field's <label> (and its choice). Rows a script adds later call
// window.adminAppNamePickers(root).
(function ($) {
  "use strict";

  function namePickers(root) {
    $(root)
      .find("select.select2-hidden-accessible")
      .each(function () {
        var select = this;
        var label = select.id && document.querySelector('label[for="' + select.id + '"]');
        var shown = $(select).next(".select2").find(".select2-selection").get(0);
        if (!label || !shown) {
          return;
        }
        if (!label.id) {
          label.id = select.id + "-label";
        }
        var rendered = shown.querySelector(".select2-selection__rendered");
        var names = [label.id];
        if (rendered && rendered.id && !select.multiple) {
          names.push(rendered.id);
        }
        shown.setAttribute("aria-labelledby", names.join(" "));
        var search = shown.querySelector(".select2-search__field");
        if (search) {
          search.setAttribute("aria-labelledby", label.id);
        }
        // Its "remove" and "clear" buttons are left out of the tab order:
        // put them back, so that a keyboard can take out any choice.
        shown.querySelectorAll('button[tabindex="-1"]').forEach(function (button) {
          button.tabIndex = 0;
        });
      });
  }

  window.adminAppNamePickers = namePickers;
  namePickers(document);
  // select2 draws a multiple picker's search box anew after each change.
  $(document).on("select2:select select2:unselect select2:close", function (event) {
    namePickers($(event.target).parent());
  });
})(jQuery);

// Date-time pickers. sqladmin's main.js formats them "Y-m-d H:i:s", where
// flatpickr's "s" is seconds without a leading zero: "12:00:05" became
// "12:00:5", so a form saved untouched sent a value other than the one the
// page showed. Format as the server does ("S": two digits), from the value
// the HTML holds.
(function () {
  "use strict";

  document
    .querySelectorAll('input[data-role="datetimepicker"]')
    .forEach(function (input) {
      var picker = input._flatpickr;
      if (!picker) {
        return;
      }
      picker.set("dateFormat", "Y-m-d H:i:S");
      if (input.defaultValue) {
        picker.setDate(input.defaultValue, false, "Y-m-d H:i:S");
      }
    });
})();
