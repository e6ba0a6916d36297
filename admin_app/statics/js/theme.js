// admin_app: light or dark pages (Tabler's data-bs-theme on <html>).
//
// Loaded blocking in <head> (templates/sqladmin/base.html), before anything is
// drawn: when the signed-in user's choice is "auto", or nobody is signed in
// (data-admin-app-theme="auto"), the page follows the browser's
// prefers-color-scheme, now and when it changes. A choice of "light" or "dark"
// is already on <html>, written by the server.
//
// The sidebar's toggle (templates/admin_app/auth/theme_toggle.html) is a form
// that works without this script: it posts and comes back. Here it is posted
// in the background and the page switches at once.
(function () {
  'use strict';

  var root = document.documentElement;
  var query = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function chosen() {
    return root.getAttribute('data-admin-app-theme') || 'auto';
  }

  function apply() {
    var theme = chosen();
    if (theme !== 'light' && theme !== 'dark') {
      theme = query && query.matches ? 'dark' : 'light';
    }
    root.setAttribute('data-bs-theme', theme);
  }

  apply();
  if (query) {
    var follow = function () {
      if (chosen() === 'auto') {
        apply();
      }
    };
    if (query.addEventListener) {
      query.addEventListener('change', follow);
    } else if (query.addListener) {
      query.addListener(follow);
    }
  }

  function show(form, theme) {
    root.setAttribute('data-admin-app-theme', theme);
    apply();
    var buttons = form.querySelectorAll('button[name="theme"]');
    for (var i = 0; i < buttons.length; i++) {
      var pressed = buttons[i].value === theme;
      buttons[i].classList.toggle('active', pressed);
      buttons[i].setAttribute('aria-pressed', pressed ? 'true' : 'false');
    }
  }

  function postPlainly(form, theme) {
    var field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'theme';
    field.value = theme;
    form.appendChild(field);
    form.submit();
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches('form[data-admin-app="theme-toggle"]')) {
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== 'theme' || !window.fetch) {
      return;
    }
    event.preventDefault();
    var theme = button.value;
    var body = new FormData(form);
    body.set('theme', theme);
    // Asked for JSON, the server answers with the choice saved. A redirect is
    // to the login page (the session ended, and the answer cleared it): the
    // page is loaded again, which leads there and back. Any other answer:
    // the form is posted the ordinary way, to show what the server says.
    window.fetch(form.action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      redirect: 'manual'
    }).then(function (response) {
      if (response.ok) {
        show(form, theme);
      } else if (response.type === 'opaqueredirect') {
        window.location.reload();
      } else {
        postPlainly(form, theme);
      }
    }, function () {
      postPlainly(form, theme);
    });
  });
})();
