// 会议纪要: attendance, speakers with real durations and the chair's comments; print with the browser.
// The one page shape (pingyi.js): load the minutes, redraw the tables by row. Short cells (a name, 8 分钟, a
// duration) are kept whole on screen and in print.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };

  return {
    start: function (page) { $("back-link").href = "/campaigns/" + page.id; },
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
          el("td", null, el("span", { class: "nowrap person" }, s.name), el("div", { class: "muted" }, s.unitName + " " + s.title)),
          el("td", { class: "nowrap" }, s.limitText), el("td", { class: "nowrap" + (s.overtime ? " error" : "") }, s.durationText + (s.overtime ? "（超时）" : "")),
          el("td", null, s.commentSkipped ? "（未点评）" : s.comment || "—"),
          P.isAdmin() ? el("td", { class: "noprint" }, s.comment ? el("a", { class: "button-like nowrap",
            href: "/rectification/new?from=comment&campaign=" + page.id + "&reportee=" + s.reporteeID }, "列入整改") : "") : null);
      });
      $("n-written").textContent = m.writtenReportees.length ? m.writtenReportees.join("、") + "作书面述职。" : "无。";
    }
  };
})());
