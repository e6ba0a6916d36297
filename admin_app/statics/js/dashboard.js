// admin_app: fill each dashboard box from its own URL, all at once
// (admin_app/dashboard/routes.py). A box whose widget fails shows the
// error its URL answers with; the others are not held up. Without this
// script each box links to its widget's page.
(function () {
  'use strict';

  function fill(box) {
    var url = box.getAttribute('data-widget-url');
    var body = box.querySelector('[data-role="widget-body"]');
    if (!url || !body) {
      return;
    }
    box.setAttribute('aria-busy', 'true');
    // A redirect (signed out) is not followed to the login page: its answer
    // would start another session, and the page's forms lose their token.
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' }, redirect: 'manual' })
      .then(function (response) {
        if (response.type === 'opaqueredirect') {
          throw new Error('signed out');
        }
        return response.text().then(function (html) {
          // Our own server-rendered fragment, escaped by Jinja.
          if (html.indexOf('data-role="widget-content"') === -1) {
            throw new Error('not a widget');
          }
          body.innerHTML = html;
        });
      })
      .catch(function () {
        // Unreachable, or signed out: say so, and keep the link to its page.
        body.setAttribute('data-widget-state', 'failed');
        body.insertAdjacentText('afterbegin', (box.getAttribute('data-failed-text') || '') + ' ');
      })
      .finally(function () {
        box.removeAttribute('aria-busy');
      });
  }

  function start() {
    document.querySelectorAll('[data-admin-app="dashboard"] [data-widget-url]').forEach(fill);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
