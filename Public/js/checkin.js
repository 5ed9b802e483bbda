// 签到: by scanned or typed card code, or by name; attendance per rater group and the quorum, live across desks.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el;
  var groups = {}, people = [];

  function drawSummary(a, page) {
    page.redraw(page.$("summary"), P.key(a), function (box) {
      box.appendChild(el("div", { class: "quorum " + (a.hasQuorum ? "ok" : "short") },
        "出席：应到 " + a.attendeesExpected + " 人，实到 " + a.attendeesPresent + " 人。",
        a.hasQuorum ? "已超过半数，可以进行民主评议。" : "未过半数，还差 " + a.shortOfQuorum + " 人。"));
      var body = el("tbody");
      a.attendance.groups.forEach(function (g) { body.appendChild(el("tr", null, el("td", null, g.name), el("td", null, String(g.expected)), el("td", null, String(g.present)))); });
      body.appendChild(el("tr", null, el("td", null, "列席（不参加评议）"), el("td", null, String(a.attendance.observersExpected)), el("td", null, String(a.attendance.observersPresent))));
      body.appendChild(el("tr", null, el("td", null, "指导（不参加评议）"), el("td", null, String(a.attendance.guestsExpected)), el("td", null, String(a.attendance.guestsPresent))));
      box.appendChild(el("table", { class: "grid compact" }, el("thead", null, el("tr", null, el("th", null, "类别"), el("th", null, "应到"), el("th", null, "实到"))), body));
    });
  }

  /// One row per person, redrawn only when that person's check-in changes: a check-in at another desk leaves the
  /// button under this teller's finger where it is.
  function drawPeople(page) {
    var q = page.$("search").value.trim();
    var onlyAbsent = page.$("only-absent").checked;
    var shown = people.filter(function (p) {
      return (!q || p.name.indexOf(q) >= 0 || p.unitName.indexOf(q) >= 0) && (!onlyAbsent || !p.checkedInAt);
    }).slice(0, 200);
    P.redrawList(page.$("people").querySelector("tbody"), shown, function (p) { return p.id; }, function (p) {
      return el("tr", { class: p.checkedInAt ? "present" : "" }, el("td", null, p.name), el("td", null, p.unitName || "—"),
        el("td", null, p.roleLabel + (p.role === "attendee" ? "（" + (groups[p.raterGroupID] || "") + "）" : "，不参加评议")),
        el("td", null, p.checkedInAt ? "已签到 " + P.formatTime(p.checkedInAt).slice(11, 16) : "未签到"),
        el("td", null, p.checkedInAt
          ? el("button", { type: "button", class: "small", "data-undo": p.id, onclick: function (e) { undo(p, page, e.target); } }, "撤销")
          : el("button", { type: "button", class: "primary small", "data-check-in": p.id, onclick: function () { checkIn({ participantID: p.id }, page); } }, "签到")));
    }, function (p) { return [p.id, p.checkedInAt || "", p.raterGroupID || ""].join(); });
  }

  function checkIn(body, page) {
    var last = page.$("last");
    return P.api("POST", page.base + "/check-in", body).then(function (result) {
      var p = result.participant;
      last.hidden = false;
      last.className = "flash " + (result.alreadyCheckedIn ? "error" : "ok");
      last.textContent = (result.alreadyCheckedIn ? "已签到过：" : "签到成功：") + p.name + "（" + p.unitName + "，" + p.roleLabel +
        (p.role === "attendee" ? "，" + (groups[p.raterGroupID] || "") : "，不参加评议") + "）";
      return page.refresh();
    }).catch(function (err) {
      // Beside the code field the teller is looking at.
      last.hidden = false;
      last.className = "flash error";
      last.setAttribute("role", "alert");
      last.textContent = err.message;
    });
  }

  function undo(p, page, button) {
    P.ask({ title: "撤销 " + p.name + " 的签到", lines: ["撤销后此人计为未到，出席人数随之减少。", "误签时使用；本人到场后可重新签到。"],
      confirmLabel: "撤销签到", danger: true }).then(function (answer) {
      if (!answer) return;
      P.busy(button, "正在撤销…", function () {
        return P.api("DELETE", page.base + "/check-in/" + p.id).then(function () { P.flash("已撤销 " + p.name + " 的签到"); return page.refresh(); });
      });
    });
  }

  return {
    start: function (page) {
      var $ = page.$;
      $("back-link").href = "/campaigns/" + page.id;
      $("cards-link").href = "/campaigns/" + page.id + "/check-in-cards";
      $("code-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var code = $("code").value.trim();
        if (!code) return;
        $("code").value = "";
        checkIn({ code: code }, page).then(function () { $("code").focus(); });
      });
      $("search").addEventListener("input", function () { drawPeople(page); });
      $("only-absent").addEventListener("change", function () { drawPeople(page); });
      return Promise.all([P.api("GET", page.base), P.api("GET", page.base + "/meeting")]).then(function (r) {
        $("k-title").textContent = "签到 · " + r[0].campaign.title;
        r[0].raterGroups.forEach(function (g) { groups[g.id] = g.name; });
        if (!r[0].may.checkIn) P.flash("活动进入“会议中”阶段后才能签到", "error");
        page.liveToken = r[1].projectorPath.split("/")[2];
        $("code").focus();
      });
    },
    load: function (page) {
      return Promise.all([P.api("GET", page.base + "/participants"), P.api("GET", page.base + "/attendance")]);
    },
    draw: function (r, page) {
      people = r[0];
      drawPeople(page);
      drawSummary(r[1], page);
    },
    live: function (page) { return page.liveToken; },
    poll: 5000
  };
})());
