// admin_app: the delete modal says what a delete takes along before it happens.
//
// Opening the modal asks the server what deleting the chosen rows implies
// (GET …/delete?pks=…, answered with an HTML fragment its templates rendered and
// escaped) and shows it; Delete stays disabled while asking and when the delete
// is refused. Confirming posts the modal's form, whose hidden `pks` fields came
// with the fragment, so exactly what was shown is what gets deleted. This takes
// the place of sqladmin's main.js handler, which deleted without looking.
(function () {
  'use strict';

  var modal = document.getElementById('modal-delete');
  if (!modal || !modal.hasAttribute('data-admin-delete')) {
    return;
  }
  var form = modal.querySelector('[data-role="delete-form"]');
  var summary = modal.querySelector('[data-role="delete-summary"]');
  var confirmButton = modal.querySelector('[data-role="delete-confirm"]');
  var asking = 0; // answers to an earlier opening of the modal are dropped

  function say(text) {
    summary.textContent = text;
    confirmButton.disabled = true;
  }

  function chosenPks(trigger) {
    // A row's delete button (list or detail page) names its row; the list's
    // "Delete selected items" takes the checked rows, as sqladmin's does.
    if (trigger && trigger.id !== 'action-delete' && trigger.hasAttribute('data-pk')) {
      return [trigger.getAttribute('data-pk')];
    }
    var pks = [];
    document.querySelectorAll('input.select-box:checked').forEach(function (box) {
      var key = box.parentElement.querySelector('input[type="hidden"]');
      if (key) {
        pks.push(key.value);
      }
    });
    return pks;
  }

  modal.addEventListener('show.bs.modal', function (event) {
    var trigger = event.relatedTarget || document.getElementById('action-delete');
    var pks = chosenPks(trigger);
    var question = ++asking;
    if (!pks.length) {
      say(summary.getAttribute('data-nothing'));
      return;
    }
    say(summary.getAttribute('data-loading'));
    var url = form.action + '?' + new URLSearchParams({ pks: pks.join(',') });
    fetch(url, {
      headers: { Accept: 'text/html', 'X-Admin-Fragment': 'delete-summary' },
      credentials: 'same-origin',
      redirect: 'manual', // signed out: not followed to a login page and its new session
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (question !== asking) {
          return;
        }
        summary.innerHTML = html; // rendered and escaped by the server
        var plan = summary.querySelector('[data-role="delete-plan"]');
        confirmButton.disabled = !plan || plan.getAttribute('data-blocked') !== 'false';
      })
      .catch(function () {
        if (question === asking) {
          say(summary.getAttribute('data-failed'));
        }
      });
  });

  form.addEventListener('submit', function () {
    // One click, one delete: the page is about to change.
    confirmButton.disabled = true;
  });
})();
