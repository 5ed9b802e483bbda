// 整改台账: the dashboard by unit, the filtered ledger in the department's columns (printable), export.
// The one page shape (pingyi.js): load the dashboard and the filtered list, redraw rows by item.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var admin = false;

  function query() {
    var q = [];
    if ($("f-unit").value) q.push("unit=" + $("f-unit").value);
    if ($("f-state").value) q.push("state=" + $("f-state").value);
    if ($("f-source").value) q.push("source=" + $("f-source").value);
    if ($("f-overdue").checked) q.push("overdue=true");
    return q.length ? "?" + q.join("&") : "";
  }

  function stateCell(item) {
    var badge = el("span", { class: "state rect-" + item.state }, item.stateLabel);
    return el("td", { class: "nowrap" }, badge, item.overdue ? el("div", { class: "error" }, "已逾期") : item.dueSoon ? el("div", { class: "warn" }, "即将到期") : null);
  }

  function itemRow(item) {
    var remarks = [];
    if (item.category) remarks.push(item.category);
    if (item.pendingExtension) remarks.push("申请延期至 " + item.pendingExtension.deadline);
    if (item.reopenCount) remarks.push("回头看 " + item.reopenCount + " 次");
    return el("tr", { class: item.overdue ? "flagged" : null },
      el("td", null, String(item.position)), el("td", null, item.sourceLabel),
      el("td", null, el("a", { href: "/rectification/" + item.id }, item.problem)), el("td", null, item.plan),
      el("td", null, item.linkedLeader), el("td", null, item.responsibleUnit + "/" + item.responsiblePerson),
      el("td", { class: "nowrap" }, item.deadline), el("td", null, item.latestProgress || "—"),
      el("td", null, item.evidenceCount ? item.evidenceCount + " 份" : "—"), stateCell(item), el("td", null, remarks.join("；") || ""));
  }

  function drawDashboard(rows, page) {
    P.redrawList($("dashboard").querySelector("tbody"), rows, function (r) { return r.orgUnitID; }, function (r) {
      var pick = el("a", { href: "#", onclick: function (e) { e.preventDefault(); $("f-unit").value = r.orgUnitID; page.refresh(); } }, r.orgUnitName);
      return el("tr", null, el("td", null, pick), el("td", { class: "num" }, String(r.open)),
        el("td", { class: "num" + (r.overdue ? " error" : "") }, String(r.overdue)), el("td", { class: "num" }, String(r.dueSoon)),
        el("td", { class: "num" }, String(r.closed)));
    });
    $("dashboard").hidden = rows.length === 0;
  }

  return {
    start: function (page) {
      admin = P.isAdmin();
      if (!admin) $("filters").hidden = true;
      $("filters").addEventListener("change", function () { $("l-status").textContent = "正在加载…"; page.refresh(); });
      $("print").addEventListener("click", function () { window.print(); });
      var params = new URLSearchParams(location.search);
      if (params.get("state")) $("f-state").value = params.get("state");
      if (params.get("overdue") === "true") $("f-overdue").checked = true;
      return admin ? P.api("GET", "/api/v1/org-units").then(function (list) { P.unitOptions(list, $("f-unit"), "", "全部"); }) : null;
    },
    load: function () {
      var q = query();
      return Promise.all([P.api("GET", "/api/v1/rectification" + q), admin ? P.api("GET", "/api/v1/rectification/dashboard") : null])
        .then(function (r) { return { query: q, items: r[0], dashboard: r[1] }; });
    },
    draw: function (d, page) {
      if (d.dashboard) drawDashboard(d.dashboard, page);
      $("export").href = "/api/v1/rectification.xlsx" + d.query;
      // The position is the row's 序号 in this list; a row keeps its node while its item and place are unchanged.
      var items = d.items.map(function (item, i) { return Object.assign({ position: i + 1 }, item); });
      P.redrawList($("ledger").querySelector("tbody"), items, function (item) { return item.id; }, itemRow);
      $("ledger").hidden = items.length === 0;
      $("l-status").textContent = items.length ? "共 " + items.length + " 项。" : "没有符合条件的整改事项。";
    },
    // The ledger is not on a live channel: it is looked at again every half minute while the page is open.
    poll: 30000
  };
})());
