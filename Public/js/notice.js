// 结果公示 (public, no login): the list of running notices, or one notice.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var nid = location.pathname.split("/")[2];
  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function day(iso) { return P.formatTime(iso).slice(0, 10); }

  if (!nid) {
    P.api("GET", "/api/v1/notices").then(function (list) {
      $("list").hidden = false;
      list.forEach(function (n) {
        $("n-list").appendChild(el("li", null, el("a", { href: "/gongshi/" + n.id }, n.title), " ", el("span", { class: "muted" }, n.organization + "，公示至 " + day(n.endsAt))));
      });
      $("n-empty").hidden = list.length > 0;
    }).catch(P.fail);
    P.api("GET", "/api/v1/notices/rectification").then(function (items) {
      var body = $("c-rows").querySelector("tbody");
      items.forEach(function (c, i) {
        body.appendChild(el("tr", null, el("td", null, String(i + 1)), el("td", null, c.unit), el("td", null, c.problem), el("td", null, c.plan),
          el("td", null, c.feedback || "—"), el("td", { class: "nowrap" }, c.closedOn)));
      });
      $("closed").hidden = items.length === 0;
    }).catch(P.fail);
    return;
  }
  P.api("GET", "/api/v1/notices/" + nid).then(function (n) {
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
    var body = $("n-rows").querySelector("tbody");
    n.rows.forEach(function (r, i) {
      body.appendChild(el("tr", null, el("td", null, String(i + 1)), el("td", null, r.name), el("td", null, r.unitName), el("td", null, r.title || "—"),
        el("td", null, pct(r.goodRate)), el("td", null, r.evaluationGrade || "—"), el("td", null, r.finalGrade || "待定")));
    });
  }).catch(P.fail);
});
