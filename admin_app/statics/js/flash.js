// admin_app: show the flash messages (sqladmin/flash.html) as toasts for three
// seconds. sqladmin does this in an inline script, which the
// Content-Security-Policy does not allow (admin_app/security/headers.py).
(function () {
  'use strict';

  function show() {
    document.querySelectorAll('.toast.admin-toast').forEach(function (element) {
      new window.tabler.bootstrap.Toast(element, { delay: 3000 }).show();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', show);
  } else {
    show();
  }
})();
