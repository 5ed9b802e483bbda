// 结果公示 (public, no login): the list of running notices, or one notice.
// The one page shape (pingyi.js), public: load the list (with the closed ledger items) or the one notice, redraw by row.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var nid = location.pathname.split("/")[2];
  var pct = P.pct;
  function day(iso) { return P.formatTime(iso).slice(0, 10); }

  function drawList(list, closed) {
    $("list").hidden = false;
    P.redrawList($("n-list"), list, function (n) { return n.id; }, function (n) {
      return el("li", null, el("a", { href: "/gongshi/" + n.id }, n.title), " ", el("span", { class: "muted" }, n.organization + "，公示至 " + day(n.endsAt)));
    });
    $("n-empty").hidden = list.length > 0;
    var rows = closed.map(function (c, i) { return Object.assign({ position: i + 1 }, c); });
    P.redrawList($("c-rows").querySelector("tbody"), rows, function (c) { return c.position; }, function (c) {
      return el("tr", null, el("td", null, String(c.position)), el("td", null, c.unit), el("td", null, c.problem), el("td", null, c.plan),
        el("td", null, c.result || "—"), el("td", { class: "nowrap" }, c.closedOn));
    });
    $("closed").hidden = closed.length === 0;
  }

  function drawNotice(n) {
    document.title = n.title;
    $("notice").hidden = false;
    $("n-title").textContent = n.title;
    $("n-period").textContent = "公示期：" + day(n.startsAt) + " 至 " + day(n.endsAt);
    $("n-objection").textContent = n.objectionText;
    $("n-contact").textContent = n.contact ? "联系方式：" + n.contact : "";
    $("n-contact").hidden = !n.contact;
    $("n-sign").textContent = n.issuer + "　" + day(n.startsAt);
    if (n.receiptsPath) { $("n-receipts-link").href = n.receiptsPath; $("n-receipts").hidden = false; }
    if (n.auditHash) {
      $("n-seq").textContent = String(n.auditSeq);
      $("n-hash").textContent = n.auditHash;
      $("n-audit").hidden = false;
    }
    var rows = n.rows.map(function (r, i) { return Object.assign({ position: i + 1 }, r); });
    P.redrawList($("n-rows").querySelector("tbody"), rows, function (r) { return r.position; }, function (r) {
      return el("tr", null, el("td", null, String(r.position)), el("td", { class: "nowrap" }, r.name), el("td", null, r.unitName), el("td", null, r.title || "—"),
        el("td", { class: "nowrap" }, pct(r.goodRate)), el("td", { class: "nowrap" }, r.evaluationGrade || "—"), el("td", { class: "nowrap" }, r.finalGrade || "待定"));
    });
  }

  return {
    open: true,
    load: function () {
      if (nid) return P.api("GET", "/api/v1/notices/" + nid);
      return Promise.all([P.api("GET", "/api/v1/notices"), P.api("GET", "/api/v1/notices/rectification")]);
    },
    draw: function (d) { if (nid) drawNotice(d); else drawList(d[0], d[1]); }
  };
})());
