// 签到: by scanned or typed card code, or by name; attendance per rater group and the quorum, live across desks.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, L = window.PingyiLive, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = location.pathname.split("/")[2];
  var base = "/api/v1/campaigns/" + id;
  var people = [], groups = {};

  function renderSummary(a) {
    var box = $("summary");
    box.textContent = "";
    box.appendChild(el("div", { class: "quorum " + (a.hasQuorum ? "ok" : "short") },
      "出席：应到 " + a.attendeesExpected + " 人，实到 " + a.attendeesPresent + " 人。",
      a.hasQuorum ? "已超过半数，可以进行民主评议。" : "未过半数，还差 " + a.shortOfQuorum + " 人。"));
    var table = el("table", { class: "grid compact" }, el("thead", null, el("tr", null, el("th", null, "类别"), el("th", null, "应到"), el("th", null, "实到"))));
    var body = el("tbody");
    a.attendance.groups.forEach(function (g) { body.appendChild(el("tr", null, el("td", null, g.name), el("td", null, String(g.expected)), el("td", null, String(g.present)))); });
    body.appendChild(el("tr", null, el("td", null, "列席（不参加评议）"), el("td", null, String(a.attendance.observersExpected)), el("td", null, String(a.attendance.observersPresent))));
    body.appendChild(el("tr", null, el("td", null, "指导（不参加评议）"), el("td", null, String(a.attendance.guestsExpected)), el("td", null, String(a.attendance.guestsPresent))));
    table.appendChild(body);
    box.appendChild(table);
  }

  function renderPeople() {
    var q = $("search").value.trim();
    var onlyAbsent = $("only-absent").checked;
    var body = $("people").querySelector("tbody");
    body.textContent = "";
    people.filter(function (p) {
      return (!q || p.name.indexOf(q) >= 0 || p.unitName.indexOf(q) >= 0) && (!onlyAbsent || !p.checkedInAt);
    }).slice(0, 200).forEach(function (p) {
      body.appendChild(el("tr", { class: p.checkedInAt ? "present" : "" }, el("td", null, p.name), el("td", null, p.unitName || "—"),
        el("td", null, p.roleLabel + (p.role === "attendee" ? "（" + (groups[p.raterGroupID] || "") + "）" : "，不参加评议")),
        el("td", null, p.checkedInAt ? "已签到 " + P.formatTime(p.checkedInAt).slice(11, 16) : "未签到"),
        el("td", null, p.checkedInAt
          ? el("button", { type: "button", class: "small", onclick: function () { undo(p); } }, "撤销")
          : el("button", { type: "button", class: "primary small", onclick: function () { checkIn({ participantID: p.id }); } }, "签到"))));
    });
  }

  function reload() {
    return Promise.all([P.api("GET", base + "/participants"), P.api("GET", base + "/attendance")]).then(function (r) {
      people = r[0];
      renderPeople();
      renderSummary(r[1]);
    });
  }

  function checkIn(body) {
    return P.api("POST", base + "/check-in", body).then(function (result) {
      var p = result.participant;
      $("last").hidden = false;
      $("last").className = "flash " + (result.alreadyCheckedIn ? "error" : "ok");
      $("last").textContent = (result.alreadyCheckedIn ? "已签到过：" : "签到成功：") + p.name + "（" + p.unitName + "，" + p.roleLabel +
        (p.role === "attendee" ? "，" + (groups[p.raterGroupID] || "") : "，不参加评议") + "）";
      renderSummary(result.attendance);
      return reload();
    }).catch(function (err) {
      $("last").hidden = false;
      $("last").className = "flash error";
      $("last").textContent = err.message;
    });
  }

  function undo(p) {
    if (!window.confirm("撤销 " + p.name + " 的签到？")) return;
    P.api("DELETE", base + "/check-in/" + p.id).then(reload).catch(P.fail);
  }

  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = $("code").value.trim();
    if (!code) return;
    $("code").value = "";
    checkIn({ code: code }).then(function () { $("code").focus(); });
  });
  $("search").addEventListener("input", renderPeople);
  $("only-absent").addEventListener("change", renderPeople);

  P.start(function () {
    $("back-link").href = "/campaigns/" + id;
    $("cards-link").href = "/campaigns/" + id + "/check-in-cards";
    return Promise.all([P.api("GET", base), P.api("GET", base + "/meeting")]).then(function (r) {
      $("k-title").textContent = "签到 · " + r[0].campaign.title;
      r[0].raterGroups.forEach(function (g) { groups[g.id] = g.name; });
      if (r[0].campaign.status !== "meeting") P.flash("活动进入“会议中”阶段后才能签到", "error");
      L.connect(r[1].projectorPath.split("/")[2], function (state) { renderSummary(state.attendance); }, L.showStatus($("conn")));
      $("code").focus();
      return reload();
    });
  });
});
