// The list's column chooser (templates/admin_app/lists/columns.html), enhanced:
// every column gets an up and a down button that move it in the form (its
// checkbox goes with it), by mouse or keyboard, focus staying on the button
// pressed; Apply then sends the ticked columns in the new order. Without this
// script the arrows are links to the list with one column moved.
(function () {
  "use strict";

  var list = document.getElementById("column-list");
  var script = document.getElementById("list-columns-script");
  if (!list || !script) {
    return;
  }

  function text(which, label) {
    return script.getAttribute("data-text-" + which).replace("{column}", label);
  }

  function button(which, label) {
    var made = document.createElement("button");
    made.type = "button";
    made.className = "btn btn-sm btn-icon";
    made.setAttribute("data-move", which);
    made.setAttribute("aria-label", text(which, label));
    var icon = document.createElement("i");
    icon.className = "fa-solid fa-arrow-" + which;
    icon.setAttribute("aria-hidden", "true");
    made.appendChild(icon);
    return made;
  }

  function refresh() {
    // The first row cannot go up nor the last down.
    var items = list.children;
    for (var i = 0; i < items.length; i++) {
      items[i].querySelector('[data-move="up"]').disabled = i === 0;
      items[i].querySelector('[data-move="down"]').disabled = i === items.length - 1;
    }
  }

  Array.prototype.forEach.call(list.children, function (item) {
    Array.prototype.forEach.call(item.querySelectorAll("a[data-move]"), function (link) {
      link.remove();
    });
    var label = item.querySelector("label").textContent.trim();
    item.appendChild(button("up", label));
    item.appendChild(button("down", label));
  });
  refresh();

  list.addEventListener("click", function (event) {
    var pressed = event.target.closest("button[data-move]");
    if (!pressed) {
      return;
    }
    var item = pressed.closest("li");
    if (pressed.getAttribute("data-move") === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (pressed.getAttribute("data-move") === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    }
    refresh();
    if (pressed.disabled) {
      // At an end: the other arrow keeps the focus.
      item.querySelector("button[data-move]:not([disabled])").focus();
    } else {
      pressed.focus();
    }
  });
})();
