// 结果总览: every campaign in scope side by side, one year at a time.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var rows = [];
  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function num(x) { return x === null || x === undefined ? "—" : x.toFixed(2); }
  function n(map, key) { return String(map[key] || 0); }

  function render() {
    var year = Number($("o-year").value);
    var list = rows.filter(function (r) { return r.year === year; });
    var body = $("o-table").querySelector("tbody");
    body.textContent = "";
    list.forEach(function (r) {
      var title = r.counted ? el("a", { href: "/campaigns/" + r.campaignID + "/results" }, r.title) : el("a", { href: "/campaigns/" + r.campaignID }, r.title);
      body.appendChild(el("tr", null, el("td", null, r.orgUnitName), el("td", null, r.levelLabel), el("td", null, title),
        el("td", null, el("span", { class: "state state-" + r.status }, r.statusLabel)), el("td", { class: "num" }, String(r.reportees)),
        el("td", { class: "num" }, r.counted ? num(r.averageComposite) : "未计票"), el("td", { class: "num" }, pct(r.averageGoodRate)),
        el("td", { class: "num" }, n(r.grades, "good")), el("td", { class: "num" }, n(r.grades, "fairly_good")),
        el("td", { class: "num" }, n(r.grades, "average")), el("td", { class: "num" }, n(r.grades, "poor")),
        el("td", { class: "num" }, String(r.flagged)),
        el("td", null, ["good", "fairly_good", "average", "poor"].map(function (k) { return n(r.finalGrades, k); }).join(" / "))));
    });
    $("o-table").hidden = list.length === 0;
    $("o-status").textContent = list.length ? year + " 年度共 " + list.length + " 个评议活动。" : "该年度没有评议活动。";
  }

  $("o-year").addEventListener("change", render);
  $("print").addEventListener("click", function () { window.print(); });
  P.start(function () {
    return P.api("GET", "/api/v1/overview").then(function (list) {
      rows = list;
      var years = list.map(function (r) { return r.year; }).filter(function (y, i, a) { return a.indexOf(y) === i; }).sort().reverse();
      if (!years.length) years = [new Date().getFullYear()];
      years.forEach(function (y) { $("o-year").appendChild(P.option(String(y), y + " 年度")); });
      render();
    }).catch(P.fail);
  });
});
