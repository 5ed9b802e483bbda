// Home: sign in, list the campaigns in scope, create one (template or copy), remove the demo.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  var campaigns = [];

  function showLogin() {
    $("login-panel").hidden = false;
    $("campaign-panel").hidden = true;
    $("username").focus();
  }

  function load() {
    $("campaign-panel").hidden = false;
    $("login-panel").hidden = true;
    $("campaign-status").textContent = "正在加载…";
    return P.api("GET", "/api/v1/campaigns").then(function (list) {
      campaigns = list;
      var body = $("campaign-table").querySelector("tbody");
      body.textContent = "";
      list.forEach(function (c) {
        var link = P.el("a", { href: "/campaigns/" + c.id }, c.title);
        body.appendChild(P.el("tr", null,
          P.el("td", null, String(c.year)),
          P.el("td", null, link, c.isDemo ? P.el("span", { class: "badge" }, "演示") : null),
          P.el("td", null, c.levelLabel),
          P.el("td", null, P.el("span", { class: "state state-" + c.status }, c.statusLabel))));
      });
      $("campaign-table").hidden = list.length === 0;
      $("campaign-status").textContent = list.length === 0 ? "暂无评议活动。" : "共 " + list.length + " 个评议活动。";
      $("demo-actions").hidden = !(P.me.role === "system_admin" && list.some(function (c) { return c.isDemo; }));
      loadReminders();
      if (P.me.role === "reportee") return loadMyResults();
    }).catch(P.fail);
  }

  /// 整改提醒: items due within 7 days and overdue, per unit, from the ledger the user can see.
  function loadReminders() {
    return P.api("GET", "/api/v1/rectification/reminders").then(function (r) {
      var ul = $("reminder-list");
      ul.textContent = "";
      r.units.forEach(function (u) {
        ul.appendChild(P.el("li", null, u.unit + "：", u.overdue ? P.el("span", { class: "error" }, "逾期 " + u.overdue + " 项") : null,
          u.overdue && u.dueSoon ? "，" : "", u.dueSoon ? P.el("span", { class: "warn" }, "7 天内到期 " + u.dueSoon + " 项") : null));
      });
      r.items.slice(0, 5).forEach(function (item) {
        ul.appendChild(P.el("li", null, P.el("a", { href: "/rectification/" + item.id }, item.problem.slice(0, 40)),
          P.el("span", { class: "muted" }, "（" + item.responsibleUnit + "，时限 " + item.deadline + (item.overdue ? "，已逾期" : "") + "）")));
      });
      $("reminder-panel").hidden = r.units.length === 0;
    }).catch(function () {});
  }

  /// A secretary's own result sheets, open once the results are published.
  function loadMyResults() {
    return P.api("GET", "/api/v1/me/results").then(function (list) {
      var ul = $("my-results-list");
      ul.textContent = "";
      list.forEach(function (m) {
        ul.appendChild(P.el("li", null, m.year + " " + m.campaignTitle + "：",
          m.published ? P.el("a", { href: "/campaigns/" + m.campaignID + "/results/" + m.reporteeID }, "查看个人评议结果表") : P.el("span", { class: "muted" }, "结果尚未发布")));
      });
      $("my-results").hidden = list.length === 0;
    });
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").hidden = true;
    P.busy(event.target.querySelector("button"), "正在登录…", function () {
      return P.api("POST", "/api/v1/session", { username: $("username").value, password: $("password").value, mode: "cookie" })
        .then(function (session) {
          P.setCSRF(session.csrfToken);
          $("password").value = "";
          var next = new URLSearchParams(location.search).get("next");
          if (next && next.charAt(0) === "/" && next.charAt(1) !== "/") { location.href = next; return; }
          return P.start(load);
        }, function (err) {
          $("login-error").textContent = err.message;
          $("login-error").hidden = false;
        });
    });
  });

  $("show-create").addEventListener("click", function () {
    $("create-form").hidden = false;
    $("c-year").value = new Date().getFullYear();
    P.api("GET", "/api/v1/org-units").then(function (units) {
      P.unitOptions(units, $("c-unit"), P.me.orgUnitID);
    }).catch(P.fail);
    var copy = $("c-copy");
    while (copy.options.length > 1) copy.remove(1);
    campaigns.forEach(function (c) { copy.appendChild(P.option(c.id, "复制：" + c.year + " " + c.title)); });
    $("c-title").focus();
  });
  $("cancel-create").addEventListener("click", function () { $("create-form").hidden = true; });

  $("create-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy(event.target.querySelector("button.primary"), "正在创建…", function () {
      return P.api("POST", "/api/v1/campaigns", {
        title: $("c-title").value, year: parseInt($("c-year").value, 10), level: $("c-level").value,
        orgUnitID: $("c-unit").value, copyFrom: $("c-copy").value || undefined
      }).then(function (detail) { location.href = "/campaigns/" + detail.campaign.id; });
    });
  });

  $("remove-demo").addEventListener("click", function () {
    P.ask({ title: "删除全部演示数据", lines: ["删除演示活动及其评议、台账和演示组织。", "此操作不可恢复。"],
            confirmLabel: "删除演示数据", danger: true }).then(function (answer) {
      if (!answer) return;
      P.busy($("remove-demo"), "正在删除…", function () {
        return P.api("DELETE", "/api/v1/demo").then(function (r) {
          P.flash("已删除 " + r.removedCampaigns + " 个演示活动、" + r.removedOrgUnits + " 个演示组织。");
          return load();
        });
      });
    });
  });

  P.start(load, showLogin);
});
