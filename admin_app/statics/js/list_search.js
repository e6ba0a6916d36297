// admin_app: the list's search box (templates/admin_app/lists/search.html).
//
// The box is a GET form: Enter and the Search button work without this script,
// and its ids keep sqladmin's main.js (which would set `search` alone in the
// URL) out of it. This script adds what a form cannot: `match=prefix` when the
// view searches by "contains" by default and the box is unticked, the
// placeholder that says which search the box runs, and, where the view
// auto-submits (sqladmin's `search_auto_submit`), a search after a pause in
// typing.
(function () {
  'use strict';

  var form = document.getElementById('list-search');
  if (!form) {
    return;
  }
  var input = form.querySelector('input[name="search"]');
  var contains = document.getElementById('search-contains');
  var timer = null;

  contains.addEventListener('change', function () {
    input.placeholder = contains.checked
      ? input.getAttribute('data-placeholder-contains')
      : input.getAttribute('data-placeholder-prefix');
  });

  form.addEventListener('submit', function () {
    clearTimeout(timer);
    if (!contains.checked && form.getAttribute('data-default-match') === 'contains') {
      var prefix = document.createElement('input');
      prefix.type = 'hidden';
      prefix.name = 'match';
      prefix.value = 'prefix';
      form.appendChild(prefix);
    }
  });

  if (form.getAttribute('data-search-auto-submit') === 'true') {
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        form.requestSubmit();
      }, 1000);
    });
  }
})();
