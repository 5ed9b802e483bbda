// The projector: the agenda item, the speaker and the shared clock (已结束 and who is next after a speech), voting
// with the address, a QR code of the voting page and progress per group, 投票结束, attendance, the chair's message.
// `PingyiProjector.render(root, state)` also draws the console's preview of what the hall sees.
"use strict";
(function () {
  var L = window.PingyiLive;
  var numerals = "一二三四五六七八九十";

  function speakerOf(state) {
    if (!state || !state.currentReporteeID) return null;
    return state.speakers.filter(function (s) { return s.reporteeID === state.currentReporteeID; })[0] || null;
  }
  function nextSpeaker(state, current) {
    var after = current ? state.speakers.indexOf(current) + 1 : 0;
    return state.speakers.slice(after).filter(function (s) { return s.clock.phase === "not_started"; })[0] || null;
  }
  function duration(seconds) { return Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒"; }
  function part(root, name) { return root.querySelector("[data-p=" + name + "]"); }

  function render(root, s) {
    part(root, "title").textContent = s.campaignTitle;
    var item = s.agenda[s.currentItem];
    part(root, "item").textContent = item ? "第" + numerals.charAt(Math.min(s.currentItem, 9)) + "项议程：" + item.title : "";
    var sp = speakerOf(s);
    var reporting = item && item.kind === "reports";
    var finished = reporting && sp && sp.clock.phase === "finished";
    part(root, "speaker").textContent = reporting && sp ? sp.name : (item ? item.title : "");
    part(root, "unit").textContent = reporting && sp ? sp.unitName + (sp.title ? " " + sp.title : "") : "";
    part(root, "clock").hidden = !(reporting && sp);
    var after = part(root, "after");
    after.hidden = !finished;
    after.textContent = finished ? "述职已结束" + (sp.durationSeconds !== undefined ? "，用时 " + duration(sp.durationSeconds) : "") : "";
    var next = reporting ? nextSpeaker(s, sp) : null;
    var nextBox = part(root, "next");
    nextBox.hidden = !(next && (!sp || finished));
    nextBox.textContent = next ? "下一位：" + next.name + "（" + next.unitName + "）" : "";
    if (reporting && !next && finished) { nextBox.hidden = false; nextBox.textContent = "会上述职全部结束"; }
    part(root, "message").textContent = s.message || "";
    // Voting: how to vote and how far each group is — counts only, never a partial result.
    var round = s.round;
    var evaluation = item && item.kind === "evaluation";
    var open = round && round.state === "open" && evaluation;
    part(root, "voting").hidden = !open;
    if (open) {
      // While voting only phone ballots can come back: the bar is phone ballots of phone codes; paper is shown apart.
      part(root, "box").textContent = "第 " + round.number + " 轮投票中：手机投票已收回 " + round.receivedPhone + " / 发出投票码 " + round.issuedCodes +
        (round.issuedSheets ? "；纸质评议表发放 " + round.issuedSheets + " 份（封箱后清点）" : "");
      part(root, "bar").style.width = (round.issuedCodes ? Math.min(100, 100 * round.receivedPhone / round.issuedCodes) : 0) + "%";
      var list = part(root, "groups");
      list.textContent = "";
      (round.groups || []).filter(function (g) { return g.issued > 0 || g.paperIssued > 0; }).forEach(function (g) {
        var li = document.createElement("li");
        li.textContent = g.name + "　" + (g.issued ? "手机 " + g.received + " / " + g.issued : "") +
          (g.paperIssued ? (g.issued ? "，" : "") + "纸质发放 " + g.paperIssued + " 份" : "");
        list.appendChild(li);
      });
    }
    var closed = part(root, "closed");
    var ended = round && evaluation && round.state !== "open";
    closed.hidden = !ended;
    if (ended) {
      closed.textContent = round.state === "void" ? "第 " + round.number + " 轮收回票数多于发出票数，本轮无效，请等待重新投票"
        : round.state === "sealed"
          ? "投票结束：第 " + round.number + " 轮手机投票收回 " + round.receivedPhone + " 张" + (round.issuedSheets ? "，纸质评议表正在清点" : "") + "，正在计票"
          : "投票结束：第 " + round.number + " 轮收回 " + round.received + " 张，正在汇总结果";
    }
    part(root, "attendance").textContent = "应到 " + s.attendance.attendeesExpected + " 人，实到 " + s.attendance.attendeesPresent + " 人" +
      (s.attendance.hasQuorum ? "，符合规定人数" : "");
  }

  window.PingyiProjector = { render: render, speakerOf: speakerOf };

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.body.classList.contains("projector")) return;
    var token = location.pathname.split("/")[2];
    var state = null;
    var conn = document.getElementById("conn");
    var show = L.showStatus(conn);
    L.connect(token, function (s) { state = s; render(document.getElementById("screen"), s); }, function (status) {
      show(status);
      // The hall sees the connection only when it is lost.
      conn.hidden = status === "open";
    });
    L.drive(document.getElementById("p-clock"), function () { var sp = speakerOf(state); return sp && sp.clock; });
  });
})();
