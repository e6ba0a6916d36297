// admin_app: a large export (the confirmation page of admin_app/exports/routes.py),
// run with fetch so that the page can say how far it has got.
//
// Confirming POSTs the form's URL (the list's search, filters and sort ride in
// its query string) with the CSRF token in the X-CSRF-Token header, reads the
// answer as a stream, counts the rows as they arrive ("12,345 rows
// exported…", and a bar when the server sent X-Export-Expected-Rows), then
// saves the file under the server's name (Content-Disposition). Without
// JavaScript, or without streams, the form posts and the browser downloads.
(function () {
  'use strict';

  var form = document.querySelector('form[data-role="export-form"]');
  if (!form || !window.fetch || !window.ReadableStream || !window.Blob || !window.URL) {
    return;
  }
  var box = form.querySelector('[data-role="export-progress"]');
  var bar = form.querySelector('[data-role="export-bar"]');
  var status = form.querySelector('[data-role="export-status"]');
  var button = form.querySelector('[data-role="export-confirm"]');
  var field = form.querySelector('input[name="csrf_token"]');
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = field ? field.value : meta ? meta.getAttribute('content') : '';
  var QUOTE = 0x22;
  var NEWLINE = 0x0a;
  var BRACE = 0x7b;
  var running = false;

  function text(name, values) {
    var template = form.getAttribute('data-text-' + name) || '';
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function number(value) {
    return value.toLocaleString();
  }

  // Rows seen so far. JSON: one object a line, so each row starts with a line
  // break then "{". CSV: a row ends at a line break outside quotes; a quote
  // inside a cell comes doubled, so flipping at every quote keeps count.
  function RowCounter(json) {
    this.json = json;
    this.quoted = false;
    this.previous = 0;
    this.breaks = 0;
  }
  RowCounter.prototype.add = function (bytes) {
    var index;
    if (this.json) {
      for (index = 0; index < bytes.length; index++) {
        if (bytes[index] === BRACE && this.previous === NEWLINE) {
          this.breaks++;
        }
        this.previous = bytes[index];
      }
      return;
    }
    for (index = 0; index < bytes.length; index++) {
      if (bytes[index] === QUOTE) {
        this.quoted = !this.quoted;
      } else if (bytes[index] === NEWLINE && !this.quoted) {
        this.breaks++;
      }
    }
  };
  RowCounter.prototype.rows = function () {
    // CSV: the first line is the header.
    return this.json ? this.breaks : Math.max(0, this.breaks - 1);
  };

  function fileName(disposition, fallback) {
    var match = /filename="?([^";]+)"?/i.exec(disposition || '');
    return match ? match[1] : fallback;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  function expectation(response) {
    var rows = parseInt(response.headers.get('X-Export-Expected-Rows') || '', 10);
    var accuracy = response.headers.get('X-Export-Expected-Accuracy') || '';
    if (isNaN(rows) || accuracy === 'at_least') {
      return null; // counting stopped at a cap: no bar
    }
    return { rows: rows, label: (accuracy === 'estimate' ? '≈ ' : '') + number(rows) };
  }

  function show(counter, expected) {
    var rows = counter.rows();
    if (expected && expected.rows > 0) {
      bar.hidden = false;
      bar.value = Math.min(100, (100 * rows) / expected.rows);
      status.textContent = text('progress-of', { rows: number(rows), expected: expected.label });
    } else {
      status.textContent = text('progress', { rows: number(rows) });
    }
  }

  function run() {
    running = true;
    button.disabled = true;
    box.hidden = false;
    bar.hidden = true;
    status.textContent = text('progress', { rows: '0' });
    return fetch(form.action, {
      method: 'POST',
      headers: { 'X-CSRF-Token': token },
      credentials: 'same-origin',
      redirect: 'manual', // signed out: not followed to a login page and its new session
    }).then(function (response) {
      if (!response.ok || !response.body) {
        throw new Error('HTTP ' + response.status);
      }
      var type = response.headers.get('Content-Type') || 'application/octet-stream';
      var counter = new RowCounter(type.indexOf('json') !== -1);
      var expected = expectation(response);
      var name = fileName(response.headers.get('Content-Disposition'), 'export');
      var reader = response.body.getReader();
      var chunks = [];
      function next() {
        return reader.read().then(function (step) {
          if (step.done) {
            return;
          }
          chunks.push(step.value);
          counter.add(step.value);
          show(counter, expected);
          return next();
        });
      }
      return next().then(function () {
        save(new Blob(chunks, { type: type }), name);
        if (expected) {
          bar.value = 100;
        }
        status.textContent = text('done', { rows: number(counter.rows()), file: name });
      });
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (running) {
      return;
    }
    run()
      .catch(function (error) {
        bar.hidden = true;
        status.textContent = text('failed', { reason: error.message || String(error) });
      })
      .then(function () {
        running = false;
        button.disabled = false;
      });
  });
})();
