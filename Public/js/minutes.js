// 会议纪要: attendance, speakers with real durations and the chair's comments; print with the browser.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, L = window.PingyiLive, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = location.pathname.split("/")[2];
  P.start(function () {
    $("back-link").href = "/campaigns/" + id;
    return P.api("GET", "/api/v1/campaigns/" + id + "/minutes").then(function (m) {
      document.title = "会议纪要 · " + m.title;
      $("n-title").textContent = m.title;
      $("n-date").textContent = m.meetingDateText;
      $("n-agenda").textContent = m.agenda.map(function (a, i) { return (i + 1) + ". " + a.title; }).join("；");
      var a = m.attendance;
      $("n-attendance").textContent = "应到 " + a.attendeesExpected + " 人，实到 " + a.attendeesPresent + " 人" + (a.hasQuorum ? "，超过半数。" : "，未过半数。");
      var body = $("n-groups").querySelector("tbody");
      a.attendance.groups.forEach(function (g) { body.appendChild(el("tr", null, el("td", null, g.name), el("td", null, String(g.expected)), el("td", null, String(g.present)))); });
      $("n-others").textContent = "列席 " + a.attendance.observersPresent + " 人；" +
        (m.guestUnits.length ? m.guestUnits.join("、") + "有关负责同志到会指导。" : "无指导人员签到。");
      var speakers = $("n-speakers").querySelector("tbody");
      m.speakers.forEach(function (s) {
        speakers.appendChild(el("tr", null, el("td", null, String(s.position)), el("td", null, s.name, el("div", { class: "muted" }, s.unitName + " " + s.title)),
          el("td", null, s.limitText), el("td", { class: s.overtime ? "error" : "" }, s.durationText + (s.overtime ? "（超时）" : "")),
          el("td", null, s.commentSkipped ? "（未点评）" : s.comment || "—"),
          P.isAdmin() ? el("td", { class: "noprint" }, s.comment ? el("a", { class: "button-like",
            href: "/rectification/new?from=comment&campaign=" + id + "&reportee=" + s.reporteeID }, "列入整改") : "") : null));
      });
      $("n-written").textContent = m.writtenReportees.length ? m.writtenReportees.join("、") + "作书面述职。" : "无。";
    });
  });
});
