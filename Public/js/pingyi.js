// Shared by every page: the API client (session cookie + CSRF header), the signed-in user, small DOM helpers.
"use strict";
(function () {
  var csrf = null;
  var me = null;

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
            err.issues = data && data.issues;
            throw err;
          }
          return data;
        });
      }, function () {
        throw new Error("网络连接失败，请检查网络后重试");
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

  function flash(message, kind) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message;
    box.className = "flash " + (kind || "ok");
    box.hidden = !message;
    if (kind !== "error" && message) {
      clearTimeout(flash.timer);
      flash.timer = setTimeout(function () { box.hidden = true; }, 5000);
    }
  }

  function fail(err) {
    if (err.status === 401) { location.href = "/?next=" + encodeURIComponent(location.pathname + location.hash); return; }
    flash(err.message, "error");
  }

  /// Runs `task` with the button disabled and a busy label, so a slow operation shows progress and is not sent twice.
  function busy(button, label, task) {
    var old = button.textContent;
    button.disabled = true;
    button.textContent = label;
    return Promise.resolve().then(task).catch(fail).then(function () {
      button.disabled = false;
      button.textContent = old;
    });
  }

  function showNav(user) {
    var nav = document.getElementById("nav");
    nav.hidden = false;
    document.getElementById("nav-user").textContent = user.displayName + "（" + user.roleLabel + "）";
    var admin = user.role === "system_admin" || user.role === "campaign_admin";
    Array.prototype.forEach.call(document.querySelectorAll("[data-admin]"), function (node) { node.hidden = !admin; });
    Array.prototype.forEach.call(nav.querySelectorAll("a"), function (a) {
      if (a.getAttribute("href") === location.pathname) a.setAttribute("aria-current", "page");
    });
  }

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

  window.Pingyi = {
    api: api,
    el: el,
    flash: flash,
    fail: fail,
    busy: busy,
    get me() { return me; },
    isAdmin: function () { return me && (me.role === "system_admin" || me.role === "campaign_admin"); },
    setCSRF: function (token) { csrf = token; },
    /// Loads the signed-in user; `onSignedIn(user)` runs when there is one, `onSignedOut()` (or a redirect) when not.
    start: function (onSignedIn, onSignedOut) {
      return api("GET", "/api/v1/me").then(function (data) {
        csrf = data.csrfToken || null;
        me = data.user;
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
    option: function (value, label, selected) { return el("option", { value: value, selected: !!selected }, label); },
    /// Org units as indented options, parents before children.
    unitOptions: function (units, select, selected, allowNone) {
      select.textContent = "";
      if (allowNone) select.appendChild(el("option", { value: "" }, allowNone));
      var children = {};
      units.forEach(function (u) { (children[u.parentID || ""] = children[u.parentID || ""] || []).push(u); });
      var ids = {};
      units.forEach(function (u) { ids[u.id] = true; });
      var roots = units.filter(function (u) { return !u.parentID || !ids[u.parentID]; });
      function add(unit, depth) {
        select.appendChild(el("option", { value: unit.id, selected: unit.id === selected }, "\u3000".repeat(depth) + unit.name));
        (children[unit.id] || []).forEach(function (c) { add(c, depth + 1); });
      }
      roots.forEach(function (u) { add(u, 0); });
    },
    showIssues: function (list, err) {
      list.textContent = "";
      list.hidden = !(err.issues && err.issues.length);
      (err.issues || []).forEach(function (issue) {
        list.appendChild(el("li", null, issue.line > 0 ? "第 " + issue.line + " 行：" + issue.message : issue.message));
      });
    },
    formatBytes: function (n) { return n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB"; },
    formatTime: function (iso) {
      var d = new Date(iso);
      function p(n) { return (n < 10 ? "0" : "") + n; }
      return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
    }
  };
})();
