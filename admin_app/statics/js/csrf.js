// admin_app: every state change the admin's pages make is a POST (or DELETE)
// carrying the session's CSRF token (admin_app/security/csrf.py).
//
// - fetch and XMLHttpRequest (sqladmin's CSV import, jQuery's $.ajax) send it
//   in the X-CSRF-Token header on unsafe requests to this origin, and only there;
// - custom actions, which sqladmin runs by navigating to their URL (a GET),
//   are posted as a form with the token instead: the list's action buttons
//   (bound by main.js, rebound here) and any link to an action (detail page).
//   Without JavaScript, the GET shows a confirmation page whose form posts.
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute('content') : '';
  var SAFE = /^(GET|HEAD|OPTIONS|TRACE)$/i;

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  var originalFetch = window.fetch;
  if (originalFetch) {
    window.fetch = function (input, init) {
      var isRequest = typeof Request !== 'undefined' && input instanceof Request;
      var options = init || {};
      var method = options.method || (isRequest ? input.method : 'GET');
      var url = isRequest ? input.url : String(input);
      if (!SAFE.test(method) && sameOrigin(url)) {
        var headers = new Headers(options.headers || (isRequest ? input.headers : undefined));
        if (!headers.has('X-CSRF-Token')) {
          headers.set('X-CSRF-Token', token);
        }
        options = Object.assign({}, options, { headers: headers });
      }
      return originalFetch.call(this, input, options);
    };
  }

  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.adminAppNeedsToken = !SAFE.test(method) && sameOrigin(url);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.adminAppNeedsToken) {
      this.setRequestHeader('X-CSRF-Token', token);
    }
    return send.apply(this, arguments);
  };

  function post(url) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = url;
    form.style.display = 'none';
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'csrf_token';
    input.value = token;
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  }

  // sqladmin's action route: <admin base>/<identity>/action/<slug>.
  var menu = document.querySelector('[data-sqladmin-menu]');
  var base = menu ? (menu.getAttribute('data-sqladmin-menu') || '').replace(/\/+$/, '') : null;
  function isActionUrl(href) {
    if (base === null || !sameOrigin(href)) {
      return false;
    }
    var path = new URL(href, window.location.href).pathname;
    return path.indexOf(base + '/') === 0 && /^\/[^/]+\/action\/[^/]+$/.test(path.slice(base.length));
  }

  if (window.jQuery) {
    var $ = window.jQuery;
    $("[id^='action-custom-']").off('click').on('click', function (event) {
      event.preventDefault();
      var pks = [];
      $('.select-box:checked').each(function () {
        pks.push($(this).siblings().get(0).value);
      });
      post($(this).attr('data-url') + '?pks=' + encodeURIComponent(pks.join(',')));
    });
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a[href]') : null;
    if (!link || event.defaultPrevented || !isActionUrl(link.href)) {
      return;
    }
    event.preventDefault();
    post(link.href);
  });
})();
