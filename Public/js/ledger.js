// 整改台账: the dashboard by unit, the filtered ledger in the department's columns (printable), export.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };

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

  function load() {
    $("l-status").textContent = "正在加载…";
    $("export").href = "/api/v1/rectification.xlsx" + query();
    return P.api("GET", "/api/v1/rectification" + query()).then(function (items) {
      var body = $("ledger").querySelector("tbody");
      body.textContent = "";
      items.forEach(function (item, i) {
        var remarks = [];
        if (item.category) remarks.push(item.category);
        if (item.pendingExtension) remarks.push("申请延期至 " + item.pendingExtension.deadline);
        if (item.reopenCount) remarks.push("回头看 " + item.reopenCount + " 次");
        body.appendChild(el("tr", { class: item.overdue ? "flagged" : null },
          el("td", null, String(i + 1)), el("td", null, item.sourceLabel),
          el("td", null, el("a", { href: "/rectification/" + item.id }, item.problem)), el("td", null, item.plan),
          el("td", null, item.linkedLeader), el("td", null, item.responsibleUnit + "/" + item.responsiblePerson),
          el("td", { class: "nowrap" }, item.deadline), el("td", null, item.latestProgress || "—"),
          el("td", null, item.evidenceCount ? item.evidenceCount + " 份" : "—"), stateCell(item), el("td", null, remarks.join("；") || "")));
      });
      $("ledger").hidden = items.length === 0;
      $("l-status").textContent = items.length ? "共 " + items.length + " 项。" : "没有符合条件的整改事项。";
    }).catch(P.fail);
  }

  function loadDashboard() {
    return P.api("GET", "/api/v1/rectification/dashboard").then(function (rows) {
      var body = $("dashboard").querySelector("tbody");
      rows.forEach(function (r) {
        var pick = el("a", { href: "#", onclick: function (e) { e.preventDefault(); $("f-unit").value = r.orgUnitID; load(); } }, r.orgUnitName);
        body.appendChild(el("tr", null, el("td", null, pick), el("td", { class: "num" }, String(r.open)),
          el("td", { class: "num" + (r.overdue ? " error" : "") }, String(r.overdue)), el("td", { class: "num" }, String(r.dueSoon)),
          el("td", { class: "num" }, String(r.closed))));
      });
      $("dashboard").hidden = rows.length === 0;
    });
  }

  $("filters").addEventListener("change", load);
  $("print").addEventListener("click", function () { window.print(); });
  P.start(function (me) {
    var admin = P.isAdmin();
    if (!admin) $("filters").hidden = true;
    var params = new URLSearchParams(location.search);
    if (params.get("state")) $("f-state").value = params.get("state");
    if (params.get("overdue") === "true") $("f-overdue").checked = true;
    var units = admin ? P.api("GET", "/api/v1/org-units").then(function (list) { P.unitOptions(list, $("f-unit"), "", "全部"); }) : Promise.resolve();
    return units.then(function () { return admin ? loadDashboard() : null; }).then(load).catch(P.fail);
  });
});
