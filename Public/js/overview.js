// 结果总览: every campaign in scope side by side, one year at a time.
// The one page shape (pingyi.js): load every campaign in scope, redraw the year's rows by campaign.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var rows = [];
  var pct = P.pct, num = P.num;
  function n(map, key) { return String(map[key] || 0); }

  function render() {
    var year = Number($("o-year").value);
    var list = rows.filter(function (r) { return r.year === year; });
    P.redrawList($("o-table").querySelector("tbody"), list, function (r) { return r.campaignID; }, function (r) {
      var title = r.counted ? el("a", { href: "/campaigns/" + r.campaignID + "/results" }, r.title) : el("a", { href: "/campaigns/" + r.campaignID }, r.title);
      return el("tr", null, el("td", null, r.orgUnitName), el("td", { class: "nowrap" }, r.levelLabel), el("td", null, title),
        el("td", { class: "nowrap" }, el("span", { class: "state state-" + r.status }, r.statusLabel)), el("td", { class: "num" }, String(r.reportees)),
        el("td", { class: "num nowrap" }, r.counted ? num(r.averageComposite) : "未计票"), el("td", { class: "num" }, pct(r.averageGoodRate)),
        el("td", { class: "num" }, n(r.grades, "good")), el("td", { class: "num" }, n(r.grades, "fairly_good")),
        el("td", { class: "num" }, n(r.grades, "average")), el("td", { class: "num" }, n(r.grades, "poor")),
        el("td", { class: "num" }, String(r.flagged)),
        el("td", { class: "nowrap" }, ["good", "fairly_good", "average", "poor"].map(function (k) { return n(r.finalGrades, k); }).join(" / ")));
    });
    $("o-table").hidden = list.length === 0;
    $("o-status").textContent = list.length ? year + " 年度共 " + list.length + " 个评议活动。" : "该年度没有评议活动。";
  }

  return {
    start: function () {
      $("o-year").addEventListener("change", render);
      $("print").addEventListener("click", function () { window.print(); });
    },
    load: function () { return P.api("GET", "/api/v1/overview"); },
    draw: function (list) {
      rows = list;
      var years = list.map(function (r) { return r.year; }).filter(function (y, i, a) { return a.indexOf(y) === i; }).sort().reverse();
      if (!years.length) years = [new Date().getFullYear()];
      var chosen = $("o-year").value;
      P.redraw($("o-year"), years.join(), function (select) {
        years.forEach(function (y) { select.appendChild(P.option(String(y), y + " 年度", String(y) === chosen)); });
      });
      render();
    }
  };
})());
