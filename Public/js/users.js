// Accounts in scope: create, reset a password, unlock, delete.
// The one page shape (pingyi.js): load the accounts, redraw rows by account; every action refreshes through the page.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  var page = null;
  var roles = [["campaign_admin", "活动管理员"], ["chair", "主持人"], ["teller", "计票人"], ["scrutineer", "监票人"], ["reportee", "述职对象"], ["system_admin", "系统管理员"]];

  function load() { return page.refresh(); }

  function draw(users) {
    P.redrawList($("user-table").querySelector("tbody"), users || [], function (u) { return u.id; }, function (u) {
      var actions = P.el("td", { class: "nowrap" },
        P.el("button", { type: "button", onclick: function () { reset(u); } }, "重置密码"),
        u.locked ? P.el("button", { type: "button", onclick: function (e) { unlock(u, e.target); } }, "解锁") : null,
        u.id === P.me.id ? null : P.el("button", { type: "button", class: "danger", onclick: function (e) { remove(u, e.target); } }, "删除"));
      return P.el("tr", null, P.el("td", { class: "nowrap" }, u.username), P.el("td", { class: "nowrap" }, u.displayName),
        P.el("td", { class: "nowrap" }, u.roleLabel), P.el("td", null, u.orgUnitName || "全部"),
        P.el("td", { class: "nowrap" }, u.locked ? P.el("span", { class: "state state-locked" }, "已锁定") : "正常"), actions);
    });
  }

  function reset(u) {
    P.ask({ title: "重置 " + u.displayName + " 的密码", confirmLabel: "重置密码", lines: ["重置后其原有登录全部退出。"],
      fields: [{ name: "password", label: "新密码（8–200 位）", type: "password", minlength: 8, maxlength: 200 },
               { name: "again", label: "再输入一次", type: "password", minlength: 8, maxlength: 200 }],
      validate: function (v) { return v.password === v.again ? "" : "两次输入的密码不一致"; } }).then(function (a) {
      if (!a) return;
      P.api("PATCH", "/api/v1/users/" + u.id, { password: a.password })
        .then(function () { P.flash("已重置 " + u.username + " 的密码，其原有登录已退出。"); return load(); }).catch(P.fail);
    });
  }
  function unlock(u, button) {
    P.busy(button, "正在解锁…", function () {
      return P.api("PATCH", "/api/v1/users/" + u.id, { unlock: true }).then(function () { P.flash("已解锁 " + u.username); return load(); });
    });
  }
  function remove(u, button) {
    P.ask({ title: "删除账号 " + u.username, lines: ["此人将不能再登录；审计日志中的记录保留。"], confirmLabel: "删除", danger: true }).then(function (answer) {
      if (!answer) return;
      P.busy(button, "正在删除…", function () {
        return P.api("DELETE", "/api/v1/users/" + u.id).then(function () { P.flash("已删除 " + u.username); return load(); });
      });
    });
  }

  function wire() {
  $("user-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy(event.target.querySelector("button"), "正在创建…", function () {
      return P.api("POST", "/api/v1/users", {
        username: $("u-name").value, displayName: $("u-display").value, role: $("u-role").value,
        orgUnitID: $("u-unit").value || undefined, password: $("u-password").value
      }).then(function (u) { event.target.reset(); P.flash("已创建账号 " + u.username); return load(); });
    });
  });
  }

  return {
    start: function (ctx, me) {
      page = ctx;
      if (!P.isAdmin()) { P.flash("只有管理员可以管理账号", "error"); return; }
      wire();
      roles.filter(function (r) { return P.may.createRoles.indexOf(r[0]) >= 0; })
        .forEach(function (r) { $("u-role").appendChild(P.option(r[0], r[1])); });
      return P.api("GET", "/api/v1/org-units").then(function (units) {
        P.unitOptions(units, $("u-unit"), me.orgUnitID, P.may.rolesWithoutUnit.length ? "（系统管理员不需要）" : null);
      });
    },
    load: function () { return P.isAdmin() ? P.api("GET", "/api/v1/users") : null; },
    draw: draw
  };
})());
