// 个人评议结果表: one page per secretary, printable on A4; charts are SVG drawn by the server.
// The one page shape (pingyi.js): load the sheet and the secretary's history, draw the tables by key.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var parts = location.pathname.split("/");
  var id = parts[2], rid = parts[4];
  var base = "/api/v1/campaigns/" + id + "/results/" + rid;

  var pct = P.pct, num = P.num;
  function cells(c) { return [c.good, c.fairlyGood, c.average, c.poor, c.abstentions].map(function (n) { return el("td", { class: "num" }, String(n)); }); }
  function tr(list) { var row = el("tr"); list.forEach(function (c) { row.appendChild(typeof c === "string" ? el("td", null, c) : c); }); return row; }

  function render(s) {
    var r = s.reportee, a = r.assessment;
    document.title = r.name + " · 个人评议结果";
    $("s-title").textContent = s.campaignTitle + " · 个人评议结果";
    $("s-name").textContent = r.name;
    $("s-unit").textContent = r.unitName;
    $("s-post").textContent = r.title || "—";
    $("s-composite").textContent = num(r.composite);
    $("s-goodrate").textContent = pct(r.goodRate);
    $("s-rank").textContent = r.rank ? "第 " + r.rank + " 名 / 共 " + s.rankedCount + " 名" : "不排名";
    $("s-grade").textContent = r.gradeLabel || "—";
    $("s-final").textContent = a && a.gradeLabel ? a.gradeLabel + (a.score !== null && a.score !== undefined ? "（" + num(a.score) + " 分）" : "") : "待定";
    var rec = s.reconciliation;
    $("s-round").textContent = "第 " + s.roundNumber + " 轮" + (rec ? "，有效票 " + rec.valid : "");
    $("chart-grades").src = base + "/charts/grades";
    $("chart-groups").src = base + "/charts/groups";
    P.redraw($("s-columns").querySelector("tbody"), P.key(r.forms), function (body) {
    r.forms.forEach(function (f) {
      f.columns.forEach(function (c, i) {
        body.appendChild(tr([i === 0 ? el("td", { rowspan: String(f.columns.length) }, f.name) : null,
          el("td", { class: c.kind === "overall" ? "strong" : null }, c.name)].filter(Boolean)
          .concat(cells(c.counts), [el("td", { class: "num" }, String(c.counts.voids)), pct(c.goodRate), num(c.meanPoints), num(c.weightedPoints)])));
      });
    });
    });
    P.redraw($("s-groups").querySelector("tbody"), P.key(r.forms), function (groups) {
    r.forms.forEach(function (f) {
      var overall = f.columns.filter(function (c) { return c.kind === "overall"; })[0];
      if (!overall) return;
      overall.byGroup.forEach(function (g, i) {
        groups.appendChild(tr([i === 0 ? el("td", { rowspan: String(overall.byGroup.length) }, f.name) : null, g.raterGroup].filter(Boolean)
          .concat(cells(g.counts), [pct(g.goodRate), num(g.meanPoints)])));
      });
    });
    });
    if (a) {
      P.redraw($("s-assessment").querySelector("tbody"), P.key(a), function (ab) {
        a.parts.forEach(function (p) { ab.appendChild(tr([p.label, String(p.weight), num(p.score)])); });
        ab.appendChild(tr([el("td", { class: "strong" }, "考核综合得分"), "", num(a.score)]));
      });
    }
    $("s-assessment").hidden = !a;
    var notes = r.flags.map(function (f) { return f.message; }).concat(a ? a.notes : []);
    $("s-notes").textContent = notes.length ? "说明：" + notes.join("；") + "。" : "";
  }

  function drawHistory(list) {
    P.redrawList($("s-history").querySelector("tbody"), list, function (h) { return h.campaignID; }, function (h) {
        return tr([String(h.year), el("td", null, el("a", { href: "/campaigns/" + h.campaignID + "/results/" + h.reporteeID }, h.campaignTitle)),
          h.unitName, num(h.composite), pct(h.goodRate), h.rank ? h.rank + "/" + h.rankedCount : "—", h.grade || "—", h.finalGrade || "待定"]);
    });
    $("s-history").hidden = list.length < 2;
  }

  return {
    start: function () {
      $("print").addEventListener("click", function () { window.print(); });
      $("back-link").href = P.isAdmin() ? "/campaigns/" + id + "/results" : "/";
      $("to-ledger").hidden = !P.isAdmin();
      $("to-ledger").href = "/rectification/new?from=result&campaign=" + id + "&reportee=" + rid;
    },
    load: function () { return Promise.all([P.api("GET", base), P.api("GET", base + "/history")]); },
    draw: function (r) { render(r[0]); drawHistory(r[1]); }
  };
})());
