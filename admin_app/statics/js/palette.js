// admin_app: the command palette and keyboard shortcuts
// (templates/admin_app/palette/palette.html, admin_app/palette/).
//
// Ctrl/Cmd+K opens a <dialog> holding a combobox and its listbox: commands
// (this page's, from its JSON; the models', with the dialogs) match as one
// types, records come from GET /palette/search?q= after a pause. The dialogs
// are fetched (GET /palette/dialogs, kept a while by the browser) when first
// asked for: pages do not carry them, and a page not searched asks nothing. Arrows move, Enter opens, Esc closes
// and gives focus back where it was. Without this script the "Search" link
// opens the same search as a page.
//
// Single-key shortcuts (`?` help, `/` the list's search, `n` new, `e` edit,
// `g` then a letter) never fire while one types in a field.
(function () {
  'use strict';

  var dataNode = document.getElementById('palette-data');
  if (!dataNode) {
    return;
  }
  var data = JSON.parse(dataNode.textContent || '{}');
  var targets = data.targets || {};
  var palette = null;    // the dialogs' controls, once fetched (setUp)
  var loading = null;    // the fetch of the dialogs
  var queued = null;     // keys typed while the palette was on its way
  var pendingG = null;   // a `g` waiting for its letter

  function go(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  function load() {
    if (!loading) {
      // Never followed to the login page (a session that ended): its answer
      // would start another session, and the page's forms lose their token.
      loading = fetch(dataNode.getAttribute('data-dialogs-url'), {
        headers: { Accept: 'text/html' }, credentials: 'same-origin', redirect: 'manual'
      }).then(function (response) {
        if (!response.ok) {
          throw new Error('palette: ' + response.status);
        }
        return response.text();
      }).then(function (html) {
        var holder = document.createElement('div');
        holder.innerHTML = html;
        document.body.appendChild(holder);
        palette = setUp();
        return palette;
      }).catch(function (error) {
        loading = null;
        throw error;
      });
    }
    return loading;
  }

  // The palette, now or once fetched; its search page when it cannot come.
  function withPalette(then) {
    if (palette) {
      then(palette);
      return;
    }
    queued = queued || '';
    load().then(function (ready) {
      then(ready);
    }, function () {
      queued = null;
      var trigger = document.querySelector('[data-palette-open]');
      go(trigger && trigger.getAttribute('href'));
    });
  }

  // The dialogs' behaviour, once they are in the page.
  function setUp() {
    var dialog = document.getElementById('palette');
    var help = document.getElementById('palette-help');
    // This page's places (where its `g` letters lead, named by the dialogs),
    // then each model's list and create page.
    var places = JSON.parse(document.getElementById('palette-places').textContent || '{}');
    var models = document.getElementById('palette-models');
    var commands = Object.keys(places).filter(function (key) {
      return targets[key];
    }).map(function (key) {
      var place = places[key];
      return { label: place.label, section: place.section, keywords: place.keywords, url: targets[key] };
    }).concat(JSON.parse(models.textContent || '[]'));
    var input = document.getElementById('palette-input');
    var list = document.getElementById('palette-list');
    var statusNode = document.getElementById('palette-status');
    var text = function (name) { return dialog.getAttribute('data-text-' + name) || ''; };

    var options = [];      // the listbox's option elements, in order
    var active = -1;       // the index of the highlighted one
    var timer = null;      // the pending record search
    var asked = 0;         // the number of the latest record search
    var records = [];      // the latest record groups
    var returnTo = null;   // what had focus before the dialog opened
    var moved = false;     // whether the arrows (or the mouse) chose an option

    function words(value) {
      return value.toLowerCase().replace(/[-_]/g, ' ').split(/\s+/).filter(Boolean);
    }

    // Every typed word starts a word of the label, section or keywords
    // (admin_app.palette.commands.matching does the same for the page).
    function matchCommands(term) {
      var typed = words(term);
      var folded = term.trim().toLowerCase();
      var found = commands.filter(function (command) {
        var own = words(command.label + ' ' + command.section + ' ' + command.keywords);
        return typed.every(function (part) {
          return own.some(function (word) { return word.indexOf(part) === 0; });
        });
      });
      if (!folded) {
        return found;
      }
      // The label typed, then labels it starts (shorter first), then the rest;
      // Array.prototype.sort is stable: the admin's order within each.
      function rank(command) {
        var label = command.label.toLowerCase();
        if (label === folded) {
          return [0, 0];
        }
        return label.indexOf(folded) === 0 ? [1, label.length] : [2, 0];
      }
      return found.sort(function (a, b) {
        var ra = rank(a);
        var rb = rank(b);
        return ra[0] - rb[0] || ra[1] - rb[1];
      });
    }

    function section(title, id) {
      var group = document.createElement('div');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-labelledby', id);
      var heading = document.createElement('div');
      heading.id = id;
      heading.className = 'palette-section';
      heading.setAttribute('role', 'presentation');
      heading.textContent = title;
      group.appendChild(heading);
      list.appendChild(group);
      return group;
    }

    function option(group, label, detail, url, kind) {
      var node = document.createElement('div');
      node.id = 'palette-option-' + options.length;
      node.className = 'palette-option';
      node.setAttribute('role', 'option');
      node.setAttribute('aria-selected', 'false');
      node.setAttribute('data-url', url);
      node.setAttribute('data-kind', kind);
      var main = document.createElement('span');
      main.className = 'palette-label';
      main.textContent = label;
      node.appendChild(main);
      if (detail) {
        var second = document.createElement('span');
        second.className = 'palette-detail';
        second.textContent = detail;
        node.appendChild(second);
      }
      var index = options.length;
      node.addEventListener('mousedown', function (event) { event.preventDefault(); });
      node.addEventListener('mousemove', function () {
        if (active !== index) {
          moved = true;
          highlight(index);
        }
      });
      node.addEventListener('click', function () { go(url); });
      group.appendChild(node);
      options.push(node);
    }

    function render() {
      var term = input.value.trim();
      // Records arriving keep the option the arrows chose, when it is still there.
      var chosen = moved && active >= 0 && options[active]
        ? options[active].getAttribute('data-url') : null;
      list.textContent = '';
      options = [];
      var found = matchCommands(term).slice(0, term ? 12 : 8);
      if (found.length) {
        var group = section(text('commands'), 'palette-section-commands');
        found.forEach(function (command) {
          option(group, command.label, command.section, command.url, 'command');
        });
      }
      records.forEach(function (found, index) {
        var group = section(found.name, 'palette-section-' + index);
        group.setAttribute('data-identity', found.identity);
        found.results.forEach(function (result) {
          option(group, result.label, result.detail, result.url, 'record');
        });
        if (found.more) {
          option(group, text('more'), found.name, found.list_url, 'more');
        }
      });
      input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
      var again = options.findIndex(function (node) {
        return node.getAttribute('data-url') === chosen;
      });
      active = -1;
      highlight(again >= 0 ? again : (options.length ? 0 : -1));
    }

    function highlight(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute('aria-selected', 'false');
      }
      active = index;
      if (index < 0) {
        input.removeAttribute('aria-activedescendant');
        return;
      }
      var node = options[index];
      node.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', node.id);
      node.scrollIntoView({ block: 'nearest' });
    }

    function say(message) {
      statusNode.textContent = message;
    }

    function searchRecords() {
      var term = input.value.trim();
      var number = ++asked;
      if (!term) {
        records = [];
        render();
        say('');
        return;
      }
      say(text('searching'));
      var url = dialog.getAttribute('data-search-url') + '?q=' + encodeURIComponent(term);
      fetch(url, {
        headers: { Accept: 'application/json' }, credentials: 'same-origin', redirect: 'manual'
      })
        .then(function (response) {
          if (response.type === 'opaqueredirect') {
            window.location.reload();  // signed out: the page leads to the login page
            return { ok: false, body: {} };
          }
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          if (number !== asked) {
            return;  // a later search is on its way
          }
          records = answer.ok ? answer.body.groups || [] : [];
          render();
          if (!answer.ok) {
            say(answer.body.error || text('failed'));
          } else {
            say(options.length
              ? text('results').replace('{count}', String(options.length))
              : text('empty'));
          }
        })
        .catch(function () {
          if (number === asked) {
            say(text('failed'));
          }
        });
    }

    function open() {
      if (dialog.open) {
        input.focus();
        return;
      }
      if (help.open) {
        help.close();
      }
      returnTo = document.activeElement;
      records = [];
      input.value = queued || '';
      queued = null;
      render();
      say('');
      dialog.showModal();
      input.focus();
      if (input.value) {
        timer = setTimeout(searchRecords, 0);
      }
    }

    input.addEventListener('input', function () {
      moved = false;
      records = [];
      render();
      clearTimeout(timer);
      timer = setTimeout(searchRecords, 150);
    });

    input.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (!options.length) {
          return;
        }
        moved = true;
        var step = event.key === 'ArrowDown' ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === 'Home' && options.length && event.ctrlKey) {
        event.preventDefault();
        highlight(0);
      } else if (event.key === 'End' && options.length && event.ctrlKey) {
        event.preventDefault();
        highlight(options.length - 1);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        dialog.close();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        if (active >= 0 && options[active]) {
          go(options[active].getAttribute('data-url'));
        } else if (input.value.trim()) {
          searchPage();
        }
      }
    });

    // Nothing chosen: the palette's page, which lists everything that matches.
    function searchPage() {
      var url = dialog.getAttribute('data-page-url');
      go(url + '?q=' + encodeURIComponent(input.value.trim()));
    }
    document.getElementById('palette-form').addEventListener('submit', function (event) {
      event.preventDefault();
      searchPage();
    });

    dialog.addEventListener('close', function () {
      clearTimeout(timer);
      asked++;
      if (returnTo && typeof returnTo.focus === 'function') {
        returnTo.focus();
      }
      returnTo = null;
    });
    // A click on the backdrop (outside the card) closes it.
    dialog.addEventListener('click', function (event) {
      if (event.target === dialog) {
        dialog.close();
      }
    });

    var helpReturnTo = null;
    help.addEventListener('close', function () {
      if (helpReturnTo && typeof helpReturnTo.focus === 'function') {
        helpReturnTo.focus();
      }
      helpReturnTo = null;
    });

    function showHelp() {
      helpReturnTo = document.activeElement;
      help.showModal();
    }

    return {
      open: open,
      showHelp: showHelp,
      isOpen: function () { return dialog.open || help.open; }
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-palette-open]'), function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault();
      withPalette(function (ready) { ready.open(); });
    });
  });

  function typing(target) {
    if (!target || target === document.body) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    var name = target.tagName;
    return name === 'INPUT' || name === 'TEXTAREA' || name === 'SELECT';
  }

  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
      event.preventDefault();
      withPalette(function (ready) { ready.open(); });
      return;
    }
    if (queued !== null && !palette) {
      // On its way: what is typed meanwhile is the palette's.
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        queued += event.key;
      }
      return;
    }
    if ((palette && palette.isOpen()) || event.defaultPrevented) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    if (pendingG) {
      clearTimeout(pendingG);
      pendingG = null;
      if (targets['g ' + key]) {
        event.preventDefault();
        go(targets['g ' + key]);
      }
      return;
    }
    if (key === 'g') {
      pendingG = setTimeout(function () { pendingG = null; }, 1500);
    } else if (key === '?') {
      event.preventDefault();
      withPalette(function (ready) { queued = null; ready.showHelp(); });
    } else if (key === '/') {
      var search = document.getElementById('search-input');
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if ((key === 'n' || key === 'e') && targets[key]) {
      event.preventDefault();
      go(targets[key]);
    }
  });
}());
