// 会议纪要: attendance, speakers with real durations and the chair's comments, the 民主评议 rounds (counts only);
// print with the browser.
// The one page shape (pingyi.js): load the minutes, redraw the tables by row. Short cells (a name, 8 分钟, a
// duration) are kept whole on screen and in print.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };

  // 民主评议: each round's issued and returned, valid and void from the count on; each group's counts. No voter.
  function drawRounds(rounds) {
    var counted = rounds.filter(function (r) { return r.verdictLabel; });
    $("n-rounds-text").textContent = rounds.length === 0 ? "尚未开启投票。"
      : "共进行 " + rounds.length + " 轮投票" + (counted.length ? "，已计票 " + counted.length + " 轮。" : "，尚未计票（有效、无效票数在计票后列出）。");
    function dash(n) { return n === undefined || n === null ? "—" : String(n); }
    P.redrawList($("n-rounds").querySelector("tbody"), rounds, function (r) { return r.number; }, function (r) {
      return el("tr", null, el("td", { class: "nowrap" }, "第 " + r.number + " 轮"), el("td", { class: "nowrap" }, r.stateLabel),
        el("td", { class: "num" }, String(r.issued)), el("td", { class: "num" }, String(r.returned)),
        el("td", { class: "num" }, dash(r.valid)), el("td", { class: "num" }, dash(r.void)), el("td", { class: "nowrap" }, r.verdictLabel || "—"));
    });
    $("n-rounds").hidden = rounds.length === 0;
    var lines = [];
    rounds.forEach(function (r) { r.groups.forEach(function (g) { lines.push({ round: r.number, group: g }); }); });
    P.redrawList($("n-round-groups").querySelector("tbody"), lines, function (l) { return l.round + "/" + l.group.name; }, function (l) {
      return el("tr", null, el("td", { class: "nowrap" }, "第 " + l.round + " 轮"), el("td", { class: "nowrap" }, l.group.name),
        el("td", { class: "num" }, String(l.group.issued)), el("td", { class: "num" }, String(l.group.received)),
        el("td", { class: "num" }, String(l.group.paperIssued)));
    });
    $("n-round-groups").hidden = lines.length === 0;
  }

  return {
    start: function (page) {
      $("back-link").href = "/campaigns/" + page.id;
      $("doc-minutes").href = page.base + "/documents/minutes.docx";
    },
    load: function (page) { return P.api("GET", page.base + "/minutes"); },
    draw: function (m, page) {
      document.title = "会议纪要 · " + m.title;
      $("n-title").textContent = m.title;
      $("n-date").textContent = m.meetingDateText;
      $("n-agenda").textContent = m.agenda.map(function (a, i) { return (i + 1) + ". " + a.title; }).join("；");
      var a = m.attendance;
      $("n-attendance").textContent = "应到 " + a.attendeesExpected + " 人，实到 " + a.attendeesPresent + " 人" + (a.hasQuorum ? "，超过半数。" : "，未过半数。");
      P.redrawList($("n-groups").querySelector("tbody"), a.attendance.groups, function (g) { return g.name; }, function (g) {
        return el("tr", null, el("td", { class: "nowrap" }, g.name), el("td", null, String(g.expected)), el("td", null, String(g.present)));
      });
      $("n-others").textContent = "列席 " + a.attendance.observersPresent + " 人；" +
        (m.guestUnits.length ? m.guestUnits.join("、") + "有关负责同志到会指导。" : "无指导人员签到。");
      P.redrawList($("n-speakers").querySelector("tbody"), m.speakers, function (s) { return s.reporteeID; }, function (s) {
        return el("tr", null, el("td", { class: "nowrap" }, String(s.position)),
          el("td", null, el("span", { class: "nowrap person" }, s.name), el("div", { class: "muted" }, el("span", { class: "nowrap" }, s.unitName), " ", el("span", { class: "nowrap" }, s.title))),
          el("td", { class: "nowrap" }, s.limitText), el("td", { class: "nowrap" + (s.overtime ? " error" : "") }, s.durationText + (s.overtime ? "（超时）" : "")),
          el("td", null, s.commentSkipped ? "（未点评）" : s.comment || "—"),
          P.isAdmin() ? el("td", { class: "noprint" }, s.comment ? el("a", { class: "button-like nowrap",
            href: "/rectification/new?from=comment&campaign=" + page.id + "&reportee=" + s.reporteeID }, "列入整改") : "") : null);
      });
      $("n-written").textContent = m.writtenReportees.length ? m.writtenReportees.join("、") + "作书面述职。" : "无。";
      drawRounds(m.rounds || []);
    }
  };
})());
