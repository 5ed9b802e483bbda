// Shared by every page: the API client (session cookie + CSRF header), the signed-in user, small DOM helpers.
"use strict";
(function () {
  var csrf = null;
  var me = null;
  /// What the signed-in account may do (`may` of /api/v1/me): the server decides, no page compares roles.
  var may = {};
  var publicPage = false;

  function api(method, path, body, options) {
    options = options || {};
    var headers = { "Accept": "application/json" };
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    var payload;
    if (options.file) {
      payload = options.file;
      headers["Content-Type"] = options.file.type || "application/octet-stream";
      headers["X-File-Name"] = encodeURIComponent(options.file.name || "file");
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return fetch(path, { method: method, headers: headers, body: payload, credentials: "same-origin" })
      .then(function (res) {
        if (res.status === 204) return null;
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) {
            var err = new Error((data && data.reason) || ("请求失败（" + res.status + "）"));
            err.status = res.status;
            err.code = data && data.code;
            err.issues = data && data.issues;
            throw err;
          }
          return data;
        });
      }, function () {
        throw new Error(options.offline || "网络连接失败，请检查网络后重试");
      });
  }

  /// el("tr", {class: "x"}, "text", childNode…)
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        // Through the CSSOM: the Content-Security-Policy refuses style attributes.
        else if (key === "style") node.style.cssText = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else if (value === true) node.setAttribute(key, "");
        else node.setAttribute(key, value);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  /// Every answer is shown where the eye is: #flash is a toast fixed to the top of the window (pingyi.css), so a long
  /// page never puts it out of view; an error stays until the next click elsewhere or the next answer.
  function flash(message, kind) {
    var box = document.getElementById("flash");
    // A page without the site frame (print pages) gets the toast when it first has something to say.
    if (!box && message) box = document.body.appendChild(el("p", { id: "flash", class: "flash toast", "aria-live": "polite", hidden: true }));
    if (!box) return;
    box.textContent = message;
    box.className = "flash toast " + (kind || "ok");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !message;
    flash.shownAt = Date.now();
    clearTimeout(flash.timer);
    if (kind !== "error" && message) flash.timer = setTimeout(function () { box.hidden = true; }, 5000);
  }
  document.addEventListener("click", function () {
    var box = document.getElementById("flash");
    if (box && !box.hidden && Date.now() - (flash.shownAt || 0) > 1500) box.hidden = true;
  }, true);

  /// The one error path: the message in the toast and, when a control caused it, in a note beside that control too;
  /// a control with its own error line (`data-error` names it: the sign-in form, the voting page) gets it there alone.
  function fail(err, near) {
    // Signed out while signed in (the session ended): to the sign-in page. Not on a public page, nor for a wrong password.
    if (err.status === 401 && me && !publicPage) { location.href = "/?next=" + encodeURIComponent(location.pathname + location.hash); return; }
    var line = near && near.getAttribute && near.getAttribute("data-error") && document.getElementById(near.getAttribute("data-error"));
    if (line) { line.textContent = err.message; line.hidden = false; return; }
    flash(err.message, "error");
    if (near && near.parentNode) {
      var note = near.nextElementSibling && near.nextElementSibling.classList.contains("near-error") ? near.nextElementSibling
        : near.parentNode.insertBefore(el("span", { class: "near-error", role: "alert" }), near.nextSibling);
      note.textContent = err.message;
      clearTimeout(note.timer);
      note.timer = setTimeout(function () { note.remove(); }, 15000);
    }
  }

  /// Runs `task` with the button disabled and a busy label, so a slow operation shows progress and is not sent twice.
  function busy(button, label, task) {
    var old = button.textContent;
    button.disabled = true;
    button.textContent = label;
    var note = button.nextElementSibling;
    if (note && note.classList.contains("near-error")) note.remove();
    var line = button.getAttribute("data-error") && document.getElementById(button.getAttribute("data-error"));
    if (line) line.hidden = true;
    return Promise.resolve().then(task).catch(function (err) { fail(err, button); }).then(function () {
      button.disabled = false;
      // A page that re-rendered the button's label (e.g. 开放 → 关闭) keeps the new one.
      if (button.textContent === label) button.textContent = old;
    });
  }

  /// A modal <dialog> in place of the browser’s prompt and confirm boxes: it says what an action will do before it is done, validates,
  /// masks passwords and offers pickers. Resolves to the entered values ({} when there are no fields), or null.
  /// spec: {title, lines: [what will happen], fields: [{name, label, type, value, options, required, min, max,
  ///        maxlength, minlength, confirm}], confirmLabel, danger, validate(values) → message or ""}
  function ask(spec) {
    return new Promise(function (resolve) {
      var form = el("form", { method: "dialog", novalidate: true });
      var dialog = el("dialog", { class: "dialog" + (spec.danger ? " dialog-danger" : ""), "aria-labelledby": "dialog-title" }, form);
      form.appendChild(el("h2", { id: "dialog-title" }, spec.title));
      if (spec.lines && spec.lines.length) {
        form.appendChild(el.apply(null, ["ul", { class: "dialog-lines" }].concat(spec.lines.map(function (line) { return el("li", null, line); }))));
      }
      var inputs = {};
      (spec.fields || []).forEach(function (f, i) {
        var id = "dialog-field-" + i;
        var input;
        if (f.type === "select") {
          input = el("select", { id: id, required: f.required !== false });
          (f.options || []).forEach(function (o) { input.appendChild(el("option", { value: o.value, selected: o.value === f.value }, o.label)); });
        } else if (f.type === "unit") {
          // A searchable tree: type part of a name to narrow the indented list.
          input = el("select", { id: id, size: "8", required: true, class: "unit-picker" });
          var filter = el("input", { type: "search", placeholder: "输入名称筛选", "aria-label": "筛选" + f.label, class: "unit-filter" });
          var all = f.options || [];
          var fill = function () {
            var q = filter.value.trim();
            input.textContent = "";
            all.filter(function (o) { return !q || o.label.indexOf(q) >= 0; }).forEach(function (o) {
              input.appendChild(el("option", { value: o.value, selected: o.value === f.value }, o.label));
            });
          };
          filter.addEventListener("input", fill);
          fill();
          form.appendChild(el("label", { for: id }, f.label));
          form.appendChild(filter);
        } else {
          input = el("input", { id: id, type: f.type || "text", required: f.required !== false, min: f.min, max: f.max,
                                maxlength: f.maxlength, minlength: f.minlength, step: f.step,
                                autocomplete: f.type === "password" ? "new-password" : "off" });
          if (f.value !== undefined && f.value !== null) input.value = String(f.value);
        }
        inputs[f.name] = input;
        if (f.type !== "unit") form.appendChild(el("label", { for: id }, f.label));
        form.appendChild(input);
        if (f.hint) form.appendChild(el("p", { class: "muted small" }, f.hint));
      });
      var error = el("p", { class: "dialog-error", role: "alert", hidden: true });
      form.appendChild(error);
      form.appendChild(el("div", { class: "actions" },
        el("button", { type: "submit", value: "ok", class: spec.danger ? "danger" : "primary" }, spec.confirmLabel || "确定"),
        el("button", { type: "button", value: "cancel", onclick: function () { dialog.close(); } }, "取消")));
      var answered = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var values = {};
        var invalid = null;
        (spec.fields || []).forEach(function (f) {
          var input = inputs[f.name];
          if (!invalid && !input.checkValidity()) invalid = f.label + "：" + (input.validationMessage || "请填写");
          values[f.name] = input.value;
        });
        if (!invalid && spec.validate) invalid = spec.validate(values) || null;
        if (invalid) { error.textContent = invalid; error.hidden = false; return; }
        answered = true;
        dialog.close();
        resolve(values);
      });
      dialog.addEventListener("close", function () {
        if (!answered) resolve(null);
        dialog.remove();
      });
      document.body.appendChild(dialog);
      dialog.showModal();
      var first = form.querySelector("input, select");
      if (first) first.focus();
    });
  }

  /// RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks), and back.
  function csvRecords(text) {
    var records = [], fields = [], field = "", quoted = false;
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { fields.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        fields.push(field); records.push(fields); fields = []; field = "";
      } else field += c;
    }
    if (field || fields.length) { fields.push(field); records.push(fields); }
    return records;
  }
  function csvText(records) {
    return records.map(function (fields) {
      return fields.map(function (f) { return /[",\r\n]/.test(f) ? '"' + f.replace(/"/g, '""') + '"' : f; }).join(",");
    }).join("\r\n") + "\r\n";
  }

  /// An import refused for headers the server does not know ("无法识别的列“X”，可用的列：…"), as an office's own table
  /// has them: the clerk says in the shared dialog which column each one is, or 不导入, and the CSV file is sent again
  /// with those headers (the clerk's file is not changed). Resolves to the file to send, or null: not such a refusal,
  /// cancelled, or an XLSX file (its issues then say how to go on).
  function mapColumns(file, err) {
    var unknown = [], columns = [];
    (err.issues || []).forEach(function (issue) {
      var m = /^无法识别的列“(.*)”，可用的列：(.+)$/.exec(issue.message);
      if (m) { unknown.push(m[1]); columns = m[2].split("、"); }
    });
    if (!unknown.length) return Promise.resolve(null);
    if (!/\.csv$/i.test(file.name || "")) {
      err.issues.push({ line: 0, message: "XLSX 文件请把这些表头改为可用的列名；或另存为 CSV（逗号分隔）后导入，导入时可逐列指明对应关系。" });
      return Promise.resolve(null);
    }
    return file.arrayBuffer().then(function (buffer) {
      var text;
      try { text = new TextDecoder("utf-8", { fatal: true }).decode(buffer); } catch (e) { text = new TextDecoder("gbk").decode(buffer); }
      var records = csvRecords(text.replace(/^\ufeff/, ""));
      var head = records.findIndex(function (r) { return r.some(function (f) { return f.trim(); }); });
      if (head < 0) return null;
      var header = records[head].map(function (f) { return f.trim(); });
      var options = [{ value: "", label: "不导入" }].concat(columns.map(function (c) { return { value: c, label: c }; }));
      return ask({
        title: "指明各列的内容",
        lines: ["文件中有 " + unknown.length + " 列的表头本系统不认识。请指明每列对应哪一项，选“不导入”则跳过该列。",
                "只在这次导入中对应，您的文件不会被修改。"],
        fields: unknown.map(function (h, i) {
          return { name: "c" + i, label: "“" + h + "”是", type: "select", required: false, options: options,
                   value: columns.filter(function (c) { return h.indexOf(c) >= 0 && header.indexOf(c) < 0; })[0] || "" };
        }),
        confirmLabel: "按此导入",
        validate: function (values) {
          var taken = {};
          for (var i = 0; i < unknown.length; i++) {
            var c = values["c" + i];
            if (!c) continue;
            if (taken[c] || header.indexOf(c) >= 0) return "“" + c + "”只能对应一列";
            taken[c] = true;
          }
          return "";
        }
      }).then(function (values) {
        if (!values) return null;
        var target = {};
        unknown.forEach(function (h, i) { target[h] = values["c" + i]; });
        var dropped = header.map(function (h) { return target[h] === ""; });
        var mapped = records.map(function (r, n) {
          var fields = n === head ? header.map(function (h) { return target[h] || h; }) : r;
          return fields.filter(function (f, i) { return !dropped[i]; });
        });
        return new File(["\ufeff" + csvText(mapped)], file.name, { type: "text/csv" });
      });
    });
  }

  /// POSTs an import file; when the server does not know some of its headers, asks (mapColumns) and sends it again.
  function importFile(path, file) {
    var send = function (f) { return api("POST", path, undefined, { file: f }); };
    return send(file).catch(function (err) {
      return mapColumns(file, err).then(function (mapped) { if (!mapped) throw err; return send(mapped); });
    });
  }

  /// Org units in tree order as {value, label} with the label indented by depth; `without` and its subtree left out.
  function unitChoices(units, without) {
    var children = {};
    units.forEach(function (u) { (children[u.parentID || ""] = children[u.parentID || ""] || []).push(u); });
    var ids = {};
    units.forEach(function (u) { ids[u.id] = true; });
    var out = [];
    function add(unit, depth) {
      if (unit.id === without) return;
      out.push({ value: unit.id, label: "\u3000".repeat(depth) + unit.name });
      (children[unit.id] || []).forEach(function (c) { add(c, depth + 1); });
    }
    units.filter(function (u) { return !u.parentID || !ids[u.parentID]; }).forEach(function (u) { add(u, 0); });
    return out;
  }

  function showNav(user) {
    var nav = document.getElementById("nav");
    // A print page (slips, cards, paper forms) has no navigation.
    if (!nav) return;
    nav.hidden = false;
    document.getElementById("nav-user").textContent = user.displayName === user.roleLabel ? user.displayName
      : user.displayName + "（" + user.roleLabel + "）";
    Array.prototype.forEach.call(document.querySelectorAll("[data-admin]"), function (node) { node.hidden = !may.admin; });
    Array.prototype.forEach.call(nav.querySelectorAll("a"), function (a) {
      if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
    });
  }

  /// On a phone a table becomes one card per row and its header row is hidden, so every cell carries its column's
  /// header as `data-label` (shown before the value by the CSS). Header cells spanning rows or columns are followed;
  /// a label the page set itself is kept.
  function labelCells(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var grid = [];
    function spread(rows, into) {
      Array.prototype.forEach.call(rows, function (row, r) {
        into[r] = into[r] || [];
        var c = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          while (into[r][c] !== undefined) c++;
          for (var i = 0; i < cell.rowSpan; i++) {
            for (var j = 0; j < cell.colSpan; j++) (into[r + i] = into[r + i] || [])[c + j] = cell;
          }
          c += cell.colSpan;
        });
      });
    }
    spread(head.rows, grid);
    var labels = [];
    grid.forEach(function (row) {
      row.forEach(function (cell, c) {
        var text = cell.textContent.trim();
        labels[c] = labels[c] || [];
        if (text && labels[c].indexOf(text) < 0) labels[c].push(text);
      });
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var cells = [];
      spread(body.rows, cells);
      cells.forEach(function (row) {
        row.forEach(function (cell, c) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", (labels[c] || []).join(" · "));
        });
      });
    });
  }
  var labelling = false;
  function labelAllTables() {
    if (labelling) return;
    labelling = true;
    requestAnimationFrame(function () {
      labelling = false;
      Array.prototype.forEach.call(document.querySelectorAll("table.grid"), labelCells);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    labelAllTables();
    new MutationObserver(labelAllTables).observe(document.body, { childList: true, subtree: true });
  });

  // Print buttons (data-print): no inline handlers, so the Content-Security-Policy can forbid them.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var logout = document.getElementById("logout");
    if (logout) logout.addEventListener("click", function () {
      api("DELETE", "/api/v1/session").catch(function () {}).then(function () { location.href = "/"; });
    });
  });

  /// The campaign a page is about: /campaigns/{id}/… (null elsewhere).
  function campaignID() {
    var parts = location.pathname.split("/");
    return parts[1] === "campaigns" && parts[2] ? parts[2] : null;
  }

  /// The one shape of a page module. `spec`:
  ///   open: true          — a public page (voting, receipts): no sign-in;
  ///   start(page, me)     — once, after sign-in: wire the controls; may return a promise;
  ///   load(page)          — the page's data (a promise);
  ///   draw(data, page)    — puts it on the page, with page.redraw(container, key, build) for anything that refreshes;
  ///   live(page, data)    — the campaign's live channel token when the page follows the hall (after the first load),
  ///   onLive(state, page) — optional: draw straight from a live message before the refresh;
  ///   poll: ms            — refresh this often when there is no live channel or while it is down;
  ///   signedOut(page, signIn) — optional: instead of going to the sign-in page (home signs in itself).
  /// One refresh source: every live message refreshes; polling runs only while the socket is not open. A refresh that
  /// is asked for while one is running runs once more after it, never in parallel.
  function page(spec) {
    document.addEventListener("DOMContentLoaded", function () {
      var id = campaignID();
      var running = null, again = false, liveOpen = false, connected = false;
      var ctx = {
        id: id,
        base: id ? "/api/v1/campaigns/" + id : null,
        $: function (name) { return document.getElementById(name); },
        el: el, api: api, ask: ask, busy: busy, flash: flash, fail: fail, redraw: redraw, redrawList: redrawList, key: key,
        get me() { return me; },
        data: null,
        /// Loads and draws again (after an action, or when the hall changed).
        refresh: function () {
          if (running) { again = true; return running; }
          running = Promise.resolve().then(function () { return spec.load ? spec.load(ctx) : null; }).then(function (data) {
            ctx.data = data;
            if (spec.draw) spec.draw(data, ctx);
            if (!connected && spec.live) listen(spec.live(ctx, data));
          }).catch(function (err) { fail(err); }).then(function () {
            running = null;
            if (again) { again = false; return ctx.refresh(); }
          });
          return running;
        }
      };
      function listen(token) {
        if (!token || !window.PingyiLive) return;
        connected = true;
        var shown = document.getElementById("conn") ? window.PingyiLive.showStatus(document.getElementById("conn")) : null;
        window.PingyiLive.connect(token, function (state) {
          if (spec.onLive) spec.onLive(state, ctx);
          ctx.refresh();
        }, function (status) {
          liveOpen = status === "open";
          if (shown) shown(status);
        });
      }
      function begin(user) {
        return Promise.resolve(spec.start ? spec.start(ctx, user) : null).then(function () {
          if (spec.poll) setInterval(function () { if (!liveOpen && !document.hidden) ctx.refresh(); }, spec.poll);
          return ctx.refresh();
        });
      }
      publicPage = !!spec.open;
      if (spec.open) begin(null).catch(function (err) { fail(err); });
      // signedOut(page, signIn): a page that offers to sign in (home) calls signIn() after a new session.
      else window.Pingyi.start(begin, spec.signedOut && function () {
        return spec.signedOut(ctx, function () { return window.Pingyi.start(begin); });
      });
    });
  }

  /// Rebuilds `container` with `build(container)` only when `key` differs from the last build's: a page that refreshes
  /// itself must not swap a button or link for a copy while someone reaches for it, nor wipe what is being typed.
  function redraw(container, key, build) {
    if (container.getAttribute("data-drawn") === key) return;
    container.textContent = "";
    build(container);
    container.setAttribute("data-drawn", key);
  }

  /// What a piece of data shows, as a string to compare: JSON with object keys sorted, since the server's encoder does
  /// not keep one key order from one answer to the next (an unchanged row must compare equal).
  function key(value) {
    return JSON.stringify(value, function (name, v) {
      if (!v || typeof v !== "object" || Array.isArray(v)) return v;
      var sorted = {};
      Object.keys(v).sort().forEach(function (k) { sorted[k] = v[k]; });
      return sorted;
    });
  }

  /// Keyed redraw for a list (table rows, list items): each item's node is rebuilt only when its key changed, kept
  /// (and moved into order) otherwise, so a refresh leaves the row under the finger and its typed text alone.
  /// build(item) returns the node; idOf(item) names it; keyOf(item) is what it shows (default: the item as JSON).
  function redrawList(container, items, idOf, build, keyOf) {
    var old = {};
    Array.prototype.forEach.call(container.children, function (n) { old[n.getAttribute("data-id")] = n; });
    var at = container.firstChild;
    items.forEach(function (item) {
      var name = String(idOf(item)), shows = keyOf ? keyOf(item) : key(item), node = old[name];
      if (!node || node.getAttribute("data-drawn") !== shows) {
        var fresh = build(item);
        fresh.setAttribute("data-id", name);
        fresh.setAttribute("data-drawn", shows);
        if (node) { if (at === node) at = fresh; container.replaceChild(fresh, node); }
        node = fresh;
      }
      delete old[name];
      if (node === at) at = at.nextSibling; else container.insertBefore(node, at);
    });
    Object.keys(old).forEach(function (name) { if (old[name].parentNode === container) container.removeChild(old[name]); });
  }

  window.Pingyi = {
    page: page,
    redrawList: redrawList,
    key: key,
    campaignID: campaignID,
    api: api,
    el: el,
    flash: flash,
    fail: fail,
    busy: busy,
    ask: ask,
    get me() { return me; },
    get may() { return may; },
    isAdmin: function () { return !!may.admin; },
    setCSRF: function (token) { csrf = token; },
    /// Loads the signed-in user; `onSignedIn(user)` runs when there is one, `onSignedOut()` (or a redirect) when not.
    start: function (onSignedIn, onSignedOut) {
      return api("GET", "/api/v1/me").then(function (data) {
        csrf = data.csrfToken || null;
        me = data.user;
        may = data.may || {};
        showNav(me);
        return onSignedIn(me);
      }, function (err) {
        if (err.status === 401) {
          if (onSignedOut) return onSignedOut();
          location.href = "/?next=" + encodeURIComponent(location.pathname);
          return;
        }
        fail(err);
      });
    },
    showNav: showNav,
    redraw: redraw,
    option: function (value, label, selected) { return el("option", { value: value, selected: !!selected }, label); },
    /// Org units as indented options, parents before children.
    unitOptions: function (units, select, selected, allowNone) {
      select.textContent = "";
      if (allowNone) select.appendChild(el("option", { value: "" }, allowNone));
      unitChoices(units).forEach(function (c) { select.appendChild(el("option", { value: c.value, selected: c.value === selected }, c.label)); });
    },
    unitChoices: unitChoices,
    importFile: importFile,
    showIssues: function (list, err) {
      list.textContent = "";
      list.hidden = !(err.issues && err.issues.length);
      (err.issues || []).forEach(function (issue) {
        list.appendChild(el("li", null, issue.line > 0 ? "第 " + issue.line + " 行：" + issue.message : issue.message));
      });
    },
    /// A share as a percentage with one decimal ("—" when there is none), and a score with two.
    pct: function (x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; },
    num: function (x) { return x === null || x === undefined ? "—" : x.toFixed(2); },
    formatBytes: function (n) {
      if (n < 1024) return n + " 字节";
      return n < 1048576 ? (n < 10240 ? (n / 1024).toFixed(1) : Math.round(n / 1024)) + " KB" : (n / 1048576).toFixed(1) + " MB";
    },
    formatTime: function (iso) {
      var d = new Date(iso);
      function p(n) { return (n < 10 ? "0" : "") + n; }
      return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
    }
  };
})();
