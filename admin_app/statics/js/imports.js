// admin_app: an import's confirm (templates/admin_app/imports/preview.html),
// showing rows done while it runs.
//
// The form still POSTs as it would without JavaScript; meanwhile this script
// asks the import's progress URL twice a second and shows "1,000 of 100,000
// rows imported…" with a bar. The POST's answer is the result page, which the
// browser then shows. A second click does nothing (the server would too).
(function () {
  'use strict';

  var form = document.querySelector('form[data-role="import-confirm"]');
  if (!form || !window.fetch) {
    return;
  }
  var card = form.closest('[data-admin-app="import-preview"]') || document;
  var box = card.querySelector('[data-role="import-progress"]');
  var bar = card.querySelector('[data-role="import-bar"]');
  var status = card.querySelector('[data-role="import-status"]');
  var url = form.getAttribute('data-progress-url');
  var template = form.getAttribute('data-text-progress') || '';
  var submitted = false;

  function show(done, total) {
    if (box) { box.hidden = false; }
    if (bar && total > 0) { bar.value = Math.round((100 * done) / total); }
    if (status) {
      status.textContent = template
        .replace('{done}', done.toLocaleString())
        .replace('{total}', total.toLocaleString());
    }
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (found) {
        if (found) { show(found.done, found.total); }
        if (!found || found.state === 'previewed' || found.state === 'running') {
          window.setTimeout(poll, 500);
        }
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }

  form.addEventListener('submit', function (event) {
    if (submitted) {
      event.preventDefault();
      return;
    }
    submitted = true;
    form.querySelectorAll('button[type="submit"]').forEach(function (button) {
      button.setAttribute('aria-disabled', 'true');
    });
    show(0, 0);
    window.setTimeout(poll, 300);
  });
})();
