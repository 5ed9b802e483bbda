// Home: sign in, list the campaigns in scope, create one (template or copy), remove the demo.
// The one page shape (pingyi.js): signed out, the sign-in form; signed in, load the campaigns (with the reminders and a
// secretary's own results), redraw the lists by key.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  var campaigns = [], page = null;

  function load() { return page.refresh(); }

  function drawCampaigns(list) {
    campaigns = list;
    P.redrawList($("campaign-table").querySelector("tbody"), list, function (c) { return c.id; }, function (c) {
      return P.el("tr", null,
        P.el("td", { class: "nowrap" }, String(c.year)),
        P.el("td", null, P.el("a", { href: "/campaigns/" + c.id }, c.title), c.isDemo ? P.el("span", { class: "badge" }, "演示") : null),
        P.el("td", { class: "nowrap" }, c.levelLabel),
        P.el("td", { class: "nowrap" }, P.el("span", { class: "state state-" + c.status }, c.statusLabel)));
    });
    $("campaign-table").hidden = list.length === 0;
    $("campaign-status").textContent = list.length === 0 ? "暂无评议活动。" : "共 " + list.length + " 个评议活动。";
    $("demo-actions").hidden = !(P.may.removeDemo && list.some(function (c) { return c.isDemo; }));
  }

  /// 整改提醒: items due within 7 days and overdue, per unit, from the ledger the user can see.
  function drawReminders(r) {
    if (!r) return;
    var rows = r.units.map(function (u) { return { id: "unit:" + u.unit, unit: u }; })
      .concat(r.items.slice(0, 5).map(function (item) { return { id: "item:" + item.id, item: item }; }));
    P.redrawList($("reminder-list"), rows, function (row) { return row.id; }, function (row) {
      var u = row.unit, item = row.item;
      if (u) {
        return P.el("li", null, u.unit + "：", u.overdue ? P.el("span", { class: "error" }, "逾期 " + u.overdue + " 项") : null,
          u.overdue && u.dueSoon ? "，" : "", u.dueSoon ? P.el("span", { class: "warn" }, "7 天内到期 " + u.dueSoon + " 项") : null);
      }
      return P.el("li", null, P.el("a", { href: "/rectification/" + item.id }, item.problem.slice(0, 40)),
        P.el("span", { class: "muted" }, "（" + item.responsibleUnit + "，时限 " + item.deadline + (item.overdue ? "，已逾期" : "") + "）"));
    });
    $("reminder-panel").hidden = r.units.length === 0;
  }

  /// A secretary's own result sheets, open once the results are published.
  function drawMyResults(list) {
    if (!list) return;
    P.redrawList($("my-results-list"), list, function (m) { return m.campaignID + ":" + m.reporteeID; }, function (m) {
      return P.el("li", null, m.year + " " + m.campaignTitle + "：",
        m.published ? P.el("a", { href: "/campaigns/" + m.campaignID + "/results/" + m.reporteeID }, "查看个人评议结果表") : P.el("span", { class: "muted" }, "结果尚未发布"));
    });
    $("my-results").hidden = list.length === 0;
  }

  function wire() {
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
  }

  return {
    signedOut: function (ctx, signIn) {
      $("login-panel").hidden = false;
      $("campaign-panel").hidden = true;
      $("username").focus();
      $("login-form").addEventListener("submit", function (event) {
        event.preventDefault();
        P.busy(event.target.querySelector("button"), "正在登录…", function () {
          return P.api("POST", "/api/v1/session", { username: $("username").value, password: $("password").value, mode: "cookie" })
            .then(function (session) {
              P.setCSRF(session.csrfToken);
              $("password").value = "";
              var next = new URLSearchParams(location.search).get("next");
              if (next && next.charAt(0) === "/" && next.charAt(1) !== "/") { location.href = next; return; }
              return signIn();
            });
        });
      });
    },
    start: function (ctx) {
      page = ctx;
      wire();
      $("campaign-panel").hidden = false;
      $("login-panel").hidden = true;
    },
    load: function () {
      // The reminders are a courtesy: when they cannot load, the campaigns still show.
      return Promise.all([P.api("GET", "/api/v1/campaigns"), P.api("GET", "/api/v1/rectification/reminders").catch(function () { return null; }),
                          P.may.ownResults ? P.api("GET", "/api/v1/me/results") : null]);
    },
    draw: function (r) {
      drawCampaigns(r[0]);
      drawReminders(r[1]);
      drawMyResults(r[2]);
    }
  };
})());
