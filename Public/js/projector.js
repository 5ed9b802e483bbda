// The projector: current agenda item, the speaker and the shared clock, attendance, the chair's message.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var L = window.PingyiLive, $ = function (id) { return document.getElementById(id); };
  var token = location.pathname.split("/")[2];
  var state = null;

  function speaker() {
    if (!state || !state.currentReporteeID) return null;
    return state.speakers.filter(function (s) { return s.reporteeID === state.currentReporteeID; })[0] || null;
  }

  L.connect(token, function (s) {
    state = s;
    $("p-title").textContent = s.campaignTitle;
    var item = s.agenda[s.currentItem];
    $("p-item").textContent = item ? "第" + "一二三四五六七八九十".charAt(Math.min(s.currentItem, 9)) + "项议程：" + item.title : "";
    var sp = speaker();
    var reporting = item && item.kind === "reports";
    $("p-speaker").textContent = reporting && sp ? sp.name : (item ? item.title : "");
    $("p-unit").textContent = reporting && sp ? sp.unitName + (sp.title ? " " + sp.title : "") : "";
    $("p-clock").hidden = !(reporting && sp);
    $("p-message").textContent = s.message || "";
    // During voting: received against issued, never a partial result.
    var round = s.round;
    var voting = round && (round.state === "open" || round.state === "sealed") && item && item.kind === "evaluation";
    $("p-box").hidden = !voting;
    if (voting) $("p-box").textContent = "第 " + round.number + " 轮" + round.stateLabel + "：已收回 " + round.received + " / 发出 " + round.issued;
    $("p-attendance").textContent = "应到 " + s.attendance.attendeesExpected + " 人，实到 " + s.attendance.attendeesPresent + " 人" +
      (s.attendance.hasQuorum ? "，符合规定人数" : "");
  }, L.showStatus($("conn")));
  L.drive($("p-clock"), function () { var sp = speaker(); return sp && sp.clock; });
});
