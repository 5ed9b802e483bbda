// The chair's console: agenda, the on-site reports with their clock, comments, the projector message.
"use strict";
// One page module, one refresh source: every live message (a check-in, a vote, a speech) reloads the console; polling
// only while the live channel is down.
window.Pingyi.page((function () {
  var P = window.Pingyi, L = window.PingyiLive, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = P.campaignID();
  var base = "/api/v1/campaigns/" + id;
  var meeting = null, live = null, commentFor = null, agendaDraft = null, page = null, preview = null;
  var phaseNames = { not_started: "未开始", running: "发言中", warning: "最后一分钟", overtime: "已超时", paused: "已暂停", finished: "已结束" };
  var kinds = [["reports", "会上述职"], ["evaluation", "民主评议"], ["summary", "主持人小结"], ["other", "其他"]];

  function current() {
    if (!live) return null;
    return live.speakers.filter(function (s) { return s.reporteeID === live.currentReporteeID; })[0] || null;
  }
  /// The speaker the chair would start next: the first on-site reportee not yet started.
  function nextUp() { return live.speakers.filter(function (s) { return s.clock.phase === "not_started"; })[0] || null; }
  /// On stage: the current speaker until their speech is over and commented on, then whoever is next.
  function onStage() {
    if (!live) return null;
    var sp = current();
    return sp && !(sp.clock.phase === "finished" && sp.commented) ? sp : nextUp();
  }

  function act(promise, message) {
    return promise.then(function (m) { meeting = m; render(m.live); if (message) P.flash(message); }).catch(P.fail);
  }

  function render(state) {
    if (live && state.revision < live.revision && state.serverTimeMs < live.serverTimeMs) return;
    live = state;
    $("m-title").textContent = state.campaignTitle;
    var a = state.attendance;
    $("quorum").textContent = "应到 " + a.attendeesExpected + " 人，实到 " + a.attendeesPresent + " 人 · " +
      (a.hasQuorum ? "已过半数" : "未过半数（还差 " + a.shortOfQuorum + " 人）");
    $("quorum").className = "state " + (a.hasQuorum ? "state-meeting" : "state-counting");
    P.redraw($("agenda"), P.key([state.agenda, state.currentItem, meeting.canChair]), function (agenda) {
      state.agenda.forEach(function (item, index) {
        agenda.appendChild(el("li", { class: index === state.currentItem ? "current" : "" }, item.title,
          index === state.currentItem ? el("span", { class: "state state-meeting" }, "进行中")
            : meeting.canChair ? el("button", { type: "button", class: "small", onclick: function () {
                act(P.api("POST", base + "/meeting/current", { index: index }), "进入议程：" + item.title);
              } }, "进入") : null));
      });
    });
    if (!agendaDraft) renderAgendaInputs(state.agenda);
    if (document.activeElement !== $("message")) $("message").value = state.message;
    renderStage();
    renderSpeakers();
  }

  function renderStage() {
    var sp = onStage();
    $("stage-name").textContent = sp ? sp.position + ". " + sp.name : "会上述职已全部完成";
    $("stage-unit").textContent = sp ? sp.unitName + " " + sp.title : "";
    // 彩排 (筹备): the server refuses the speech clock until the meeting opens, so it is not offered.
    var rehearsal = !!detail && detail.may.rehearse;
    var shown = sp && meeting.canChair ? [sp.reporteeID, sp.clock.phase === "warning" || sp.clock.phase === "overtime" ? "running" : sp.clock.phase, sp.commented, rehearsal].join() : "";
    // Every check-in and vote reaches the console: the buttons are redrawn only when the speech's state changes.
    P.redraw($("stage-buttons"), shown, function (box) {
      if (!shown) return;
      var phase = sp.clock.phase;
      if (rehearsal) { box.appendChild(el("span", { class: "muted", "data-rehearsal": "" }, "彩排中：“开始会议”后才能开始述职计时")); return; }
      function button(label, action, primary) {
        box.appendChild(el("button", { type: "button", class: primary ? "primary" : "", "data-action": action, onclick: function (e) {
          var button = e.target;
          var asked = action === "end" ? P.ask({ title: "结束 " + sp.name + " 的述职", confirmLabel: "结束述职",
            lines: ["计时停止，述职时长记入会议记录。", "结束后请主持人点评，再开始下一位。"] }) : Promise.resolve({});
          asked.then(function (answer) {
            if (answer) P.busy(button, "…", function () { return act(P.api("POST", base + "/speeches/" + sp.reporteeID + "/" + action)); });
          });
        } }, label));
      }
      if (phase === "not_started") button("开始述职", "start", true);
      if (phase === "running" || phase === "warning" || phase === "overtime") { button("暂停", "pause"); button("结束述职", "end", true); }
      if (phase === "paused") { button("继续", "resume", true); button("结束述职", "end"); }
      if (phase === "finished" && !sp.commented) box.appendChild(el("span", { class: "muted" }, "请在下方记录点评后开始下一位"));
    });
  }

  function renderSpeakers() {
    var shown = live.speakers.map(function (s) {
      return [s.reporteeID, s.clock.phase, s.durationSeconds, s.commentSkipped, meeting.comments[s.reporteeID]];
    });
    P.redraw($("speakers").querySelector("tbody"), P.key([shown, live.currentReporteeID, meeting.canChair]), function (body) {
      live.speakers.forEach(function (s) {
        var comment = meeting.comments[s.reporteeID];
        body.appendChild(el("tr", { class: s.reporteeID === live.currentReporteeID ? "current" : "" },
          el("td", { class: "nowrap" }, String(s.position)), el("td", null, el("span", { class: "nowrap person" }, s.name), el("div", { class: "muted" }, s.unitName)),
          el("td", { class: "nowrap" }, phaseNames[s.clock.phase]),
          el("td", { class: "nowrap" + (s.durationSeconds > s.clock.limitSeconds ? " error" : "") }, s.durationSeconds != null ? L.format(-s.durationSeconds * 1000).slice(1) : "—"),
          el("td", null, s.commentSkipped ? el("span", { class: "muted" }, "不点评") : comment || (s.clock.phase === "finished" ? "待点评" : ""),
            meeting.canChair && s.clock.phase === "finished" ? el("button", { type: "button", class: "small", onclick: function () { openComment(s); } }, "编辑") : null)));
      });
    });
    var pending = live.speakers.filter(function (s) { return s.clock.phase === "finished" && !s.commented; })[0] || null;
    if (pending && (!commentFor || commentFor.reporteeID !== pending.reporteeID) && meeting.canChair) openComment(pending);
    if (!pending && commentFor && live.speakers.filter(function (s) { return s.reporteeID === commentFor.reporteeID && s.commented; }).length && document.activeElement !== $("comment")) {
      commentFor = null;
      $("comment-form").hidden = true;
    }
  }

  function openComment(s) {
    commentFor = s;
    $("comment-form").hidden = false;
    $("comment-label").textContent = "对 " + s.name + "（" + s.unitName + "）的点评";
    $("comment").value = meeting.comments[s.reporteeID] || "";
    $("comment").focus();
  }

  /// The agenda editor, redrawn only when the agenda itself changed: a check-in or a vote leaves its inputs and
  /// buttons alone.
  function renderAgendaInputs(agenda) {
    P.redraw($("agenda-inputs"), P.key(agenda), function (box) { drawAgendaInputs(box, agenda); });
  }
  function drawAgendaInputs(box, agenda) {
    agenda.forEach(function (item, index) {
      var select = el("select", { "aria-label": "议程类型" });
      kinds.forEach(function (k) { select.appendChild(P.option(k[0], k[1], k[0] === item.kind)); });
      box.appendChild(el("div", { class: "toolbar" }, el("input", { value: item.title, maxlength: "50", "aria-label": "议程名称" }), select,
        el("button", { type: "button", class: "small danger", onclick: function () { agendaDraft = readAgenda(); agendaDraft.splice(index, 1); renderAgendaInputs(agendaDraft); } }, "删除")));
    });
  }
  function readAgenda() {
    return Array.prototype.map.call($("agenda-inputs").children, function (row) {
      return { title: row.querySelector("input").value, kind: row.querySelector("select").value };
    });
  }
  function wireMeeting() {
  $("comment-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var s = commentFor;
    P.busy(event.target.querySelector("button.primary"), "正在保存…", function () {
      return act(P.api("POST", base + "/speeches/" + s.reporteeID + "/comment", { text: $("comment").value }), "已保存对 " + s.name + " 的点评")
        .then(function () { commentFor = null; $("comment-form").hidden = true; render(live); });
    });
  });
  $("comment-skip").addEventListener("click", function () {
    var s = commentFor;
    act(P.api("POST", base + "/speeches/" + s.reporteeID + "/comment", { skip: true }), "已记录：不点评 " + s.name)
      .then(function () { commentFor = null; $("comment-form").hidden = true; render(live); });
  });

  $("message-form").addEventListener("submit", function (event) {
    event.preventDefault();
    act(P.api("POST", base + "/meeting/message", { text: $("message").value }), "大屏提示语已更新");
  });

  // An edited title is a draft too: the next live update must not put the old one back.
  $("agenda-inputs").addEventListener("input", function () { agendaDraft = readAgenda(); });
  $("agenda-add").addEventListener("click", function () { agendaDraft = readAgenda(); agendaDraft.push({ title: "新议程", kind: "other" }); renderAgendaInputs(agendaDraft); });
  $("agenda-save").addEventListener("click", function () {
    act(P.api("PUT", base + "/meeting/agenda", readAgenda()), "议程已保存").then(function () { agendaDraft = null; render(live); });
  });

  }

  function startMeeting(m) {
    $("back-link").href = "/campaigns/" + id;
    $("checkin-link").href = "/campaigns/" + id + "/check-in";
    $("minutes-link").href = "/campaigns/" + id + "/minutes";
    $("tally-link").href = "/campaigns/" + id + "/tally";
    Array.prototype.forEach.call(document.querySelectorAll("[data-chair]"), function (n) { n.hidden = !m.canChair; });
    $("comment-form").hidden = true;
    $("projector-link").href = m.projectorPath;
    // Slips and the projector carry voteURL: when it reaches only this machine, say so before anything is printed.
    $("address-warning").hidden = !m.voteAddressWarning;
    $("address-warning").textContent = m.voteAddressWarning || "";
    // The preview draws the hall's screen with the projector's own code, from the same live state.
    var script = document.createElement("script");
    script.src = "/js/projector.js";
    script.onload = function () {
      preview = window.PingyiProjector;
      preview.render($("preview"), meeting.live);
      L.drive($("preview-clock"), function () { var sp = preview.speakerOf(meeting.live); return sp && sp.clock; });
    };
    document.head.appendChild(script);
    L.drive($("stage-clock"), function () { var sp = onStage(); return sp && sp.clock; });
  }

  // 票箱: open a round (codes for the checked-in attendees, paper sheets if wanted), print the slips, seal, count.
  var detail = null, attendance = null, canChair = false;

  function latest(rounds) { return rounds[rounds.length - 1] || null; }

  function load() { return page.refresh(); }

  function renderBox(rounds) {
    var round = latest(rounds);
    var busyRound = round && (round.state === "open" || round.state === "sealed");
    // After a valid count the results stand: opening another round is not offered (a void round is repeated).
    var counted = round && round.state === "counted";
    $("open-form").hidden = !!busyRound || counted || !detail.may.runMeeting;
    $("box-done").hidden = !counted;
    $("box-results").href = "/campaigns/" + id + "/results";
    $("box-void").hidden = !(round && round.state === "void");
    $("box-actions").hidden = !canChair;
    $("box-state").textContent = round
      ? "第 " + round.number + " 轮：" + round.stateLabel + (round.reconciliation
        ? " · 发出 " + round.issued + "，收回 " + round.received
        // Before the count only phone ballots come back; paper is 发放 and counted at the count.
        : " · 发出投票码 " + round.issuedCodes + "，手机收回 " + round.receivedElectronic + (round.issuedSheets ? "；纸质评议表发放 " + round.issuedSheets + " 份，计票时清点" : "")) +
        (round.pendingSheets + round.mismatchedSheets ? "（纸质票待核对 " + (round.pendingSheets + round.mismatchedSheets) + " 份）" : "")
      : "尚未开始投票" + (attendance && !attendance.hasQuorum ? "（出席人数未过半数）" : "");
    renderIssueTable();
    P.redraw($("box-actions"), round ? round.id + ":" + round.state : "", function (actions) { renderBoxActions(actions, round); });
    P.redraw($("rounds"), P.key(rounds.map(function (r) { return [r.id, r.state, r.reconciliation, r.issuedSheets]; })), renderRounds(rounds));
  }

  /// What the chair typed for the next round, by field: the refresh keeps it and only moves the attendance beside it.
  var typed = {};
  function renderIssueTable() {
    var body = $("issue-table").querySelector("tbody");
    P.redraw(body, detail.raterGroups.map(function (g) { return g.id; }).join(), function () {
      detail.raterGroups.forEach(function (g) {
        body.appendChild(el("tr", null, el("td", null, g.name), el("td", { "data-present": g.id }, "0"),
          el("td", null, el("input", { type: "number", min: "0", max: "2000", value: "0", class: "tiny", "data-codes": g.id, "aria-label": g.name + " 投票码数量" })),
          el("td", null, el("input", { type: "number", min: "0", max: "2000", value: "0", class: "tiny", "data-sheets": g.id, "aria-label": g.name + " 纸质票数量" }))));
      });
    });
    detail.raterGroups.forEach(function (g, i) {
      var present = String(attendance.attendance.groups[i] ? attendance.attendance.groups[i].present : 0);
      body.querySelector('[data-present="' + g.id + '"]').textContent = present;
      // One code per person present, until the chair sets the number.
      if (!typed["codes:" + g.id]) body.querySelector('[data-codes="' + g.id + '"]').value = present;
    });
  }

  function renderBoxActions(actions, round) {
    if (round && round.state === "open") {
      actions.appendChild(el("button", { type: "button", class: "primary", "data-action": "seal", onclick: function (e) {
        var button = e.target;
        P.ask({ title: "第 " + round.number + " 轮封箱", confirmLabel: "封箱", lines: [
          "封箱后不再接收手机选票，未使用的投票码作废。",
          "纸质评议表从票箱取出、清点张数后，打开“纸质票录入”页，用扫描仪扫描（主要方式）由机器识别；机器没有把握的栏目由两位计票人确认，读不了的整张再手工录入。",
          "此操作不能撤销。"] }).then(function (answer) {
          if (!answer) return;
          P.busy(button, "正在封箱…", function () { return P.api("POST", base + "/rounds/" + round.id + "/seal").then(function () { P.flash("第 " + round.number + " 轮已封箱"); return load(); }); });
        });
      } }, "封箱"));
      actions.appendChild(el("button", { type: "button", onclick: function () { extra(round); } }, "补发投票码"));
    }
    if (round && round.state === "sealed") {
      actions.appendChild(el("a", { href: "/campaigns/" + id + "/tally", class: "button-like" }, "纸质票录入"));
      actions.appendChild(el("button", { type: "button", class: "primary", "data-action": "count", onclick: function (e) {
        var button = e.target;
        P.ask({ title: "第 " + round.number + " 轮计票", confirmLabel: "计票", lines: [
          "核对发出与收回：收回多于发出（合计或任一种选票）则本轮无效，须重新投票。",
          "计票后不能再录入或裁定本轮纸质票，计票人的录入记录随即删除。",
          "评议结果以本轮为准。此操作不能撤销。"] }).then(function (answer) {
          if (!answer) return;
          P.busy(button, "正在计票…", function () {
            return P.api("POST", base + "/rounds/" + round.id + "/count").then(function (r) {
              P.flash(r.state === "void" ? "收回票数多于发出票数，第 " + r.number + " 轮作废，请重新投票" : "第 " + r.number + " 轮计票完成");
              return load();
            });
          });
        });
      } }, "计票"));
    }
  }

  function renderRounds(rounds) {
    return function (list) {
      rounds.slice().reverse().forEach(function (r) {
        var rec = r.reconciliation;
        list.appendChild(el("li", null, "第 " + r.number + " 轮 · " + r.stateLabel +
          (rec ? " · 发出 " + rec.issued + "，收回 " + rec.returned + "（有效 " + rec.valid + "，无效 " + rec.void + "）" : ""),
          r.state !== "open" ? el("a", { href: "/receipts/" + r.id, target: "_blank", rel: "noopener" }, " 回执码公示") : null,
          r.issuedSheets ? el("a", { href: "/campaigns/" + id + "/rounds/" + r.id + "/paper", target: "_blank", rel: "noopener" }, " 纸质评议表") : null));
      });
    };
  }

  function extra(round) {
    P.ask({ title: "补发投票码（第 " + round.number + " 轮）", confirmLabel: "补发并打印",
      lines: ["新的投票码只显示这一次，请在打开的窗口中打印。"],
      fields: [
        { name: "group", label: "评议人类别", type: "select", options: detail.raterGroups.map(function (g) { return { value: g.id, label: g.name }; }) },
        { name: "count", label: "补发数量（1–100）", type: "number", value: 1, min: 1, max: 100, step: 1 }] }).then(function (answer) {
      if (!answer) return;
      var slipWindow = window.open("", "_blank");
      P.api("POST", base + "/rounds/" + round.id + "/codes", { raterGroupID: answer.group, count: parseInt(answer.count, 10) })
        .then(function (r) { printSlips(slipWindow, r.codes, r.round.number); return load(); })
        .catch(function (err) { if (slipWindow) slipWindow.close(); P.fail(err); });
    });
  }

  /// Opens a print window with the slips (cut along the dashed lines, shuffle, hand out). The codes live only there.
  /// The window is opened by the click itself (browsers block pop-ups opened later), then filled here.
  function printSlips(win, codes, number) {
    if (!win) { P.flash("浏览器阻止了打印窗口，请允许弹出窗口后补发投票码", "error"); return; }
    var title = detail.campaign.title;
    var slips = codes.map(function (c) {
      return '<div class="slip"><div class="slip-head">' + escapeHTML(title) + '<br>第 ' + number + ' 轮 · ' + escapeHTML(c.raterGroup) +
        '</div><div class="slip-qr">' + c.qrSVG + '</div><div class="slip-code">' + c.code +
        '</div><div class="slip-help">手机扫码投票，或打开 ' + escapeHTML(c.url.split("#")[0]) + ' 输入投票码。不记名，请勿示人。</div></div>';
    }).join("");
    win.document.write('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>投票码 · 第 ' + number + ' 轮</title>' +
      '<link rel="stylesheet" href="/css/pingyi.css"></head><body class="slips"><p class="noprint">共 ' + codes.length +
      ' 张投票码，按评议人类别排列。打印后沿虚线裁开，按类别打乱顺序发放；本页关闭后投票码不会再次显示。 <button type="button" id="print-slips">打印</button></p>' +
      '<div class="slip-grid">' + slips + '</div></body></html>');
    win.document.close();
    win.document.getElementById("print-slips").addEventListener("click", function () { win.print(); });
  }

  function escapeHTML(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function openRound(button, codes, sheets, wantsCodes, wantsSheets) {
    var slipWindow = wantsCodes ? window.open("", "_blank") : null;
    var paperWindow = wantsSheets ? window.open("", "_blank") : null;
    P.busy(button, "正在开启…", function () {
      return P.api("POST", base + "/rounds", { codes: codes, paperSheets: sheets }).then(function (r) {
        P.flash("第 " + r.round.number + " 轮投票已开启：投票码 " + r.codes.length + " 个，纸质票 " + r.paperForms.reduce(function (n, f) { return n + f.count; }, 0) + " 份");
        if (slipWindow) printSlips(slipWindow, r.codes, r.round.number);
        if (paperWindow) paperWindow.location = "/campaigns/" + id + "/rounds/" + r.round.id + "/paper";
        // A repeated round starts again from the attendance, not from this round's numbers.
        typed = {};
        Array.prototype.forEach.call(document.querySelectorAll("[data-sheets]"), function (n) { n.value = "0"; });
        return load();
      }, function (err) {
        if (slipWindow) slipWindow.close();
        if (paperWindow) paperWindow.close();
        throw err;
      });
    });
  }

  function wireBox() {
  $("issue-table").addEventListener("input", function (event) {
    var name = event.target.getAttribute("data-codes") ? "codes" : "sheets";
    typed[name + ":" + event.target.getAttribute("data-" + name)] = true;
  });

  $("open-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var codes = {}, sheets = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-codes]"), function (n) { codes[n.getAttribute("data-codes")] = parseInt(n.value || "0", 10); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-sheets]"), function (n) { sheets[n.getAttribute("data-sheets")] = parseInt(n.value || "0", 10); });
    var total = function (counts) { return Object.keys(counts).reduce(function (n, k) { return n + (counts[k] > 0 ? counts[k] : 0); }, 0); };
    var wantsCodes = total(codes) > 0;
    var wantsSheets = total(sheets) > 0;
    var button = event.target.querySelector("button");
    // Opening the box cannot be undone and sits beside the speech clock: the chair confirms it in the dialog sealing
    // uses. The print windows are opened by the dialog's confirm click (browsers block pop-ups opened later).
    var lines = ["发放投票码 " + total(codes) + " 个、纸质票 " + total(sheets) + " 份；投票码只显示这一次，请在打开的窗口中打印。",
      "开启后本轮投票开始，此操作不能撤销；计票有效后不能再开启新一轮。"];
    if (attendance && !attendance.hasQuorum) lines.unshift("出席人数未过半数。");
    P.ask({ title: "开启投票", confirmLabel: "开启投票", lines: lines }).then(function (answer) {
      if (answer) openRound(button, codes, sheets, wantsCodes, wantsSheets);
    });
  });

  }

  return {
    start: function (ctx) {
      page = ctx;
      wireMeeting();
      wireBox();
    },
    load: function () {
      return Promise.all([P.api("GET", base), P.api("GET", base + "/rounds"), P.api("GET", base + "/attendance"), P.api("GET", base + "/meeting")]);
    },
    draw: function (r) {
      var first = !meeting;
      meeting = r[3];
      detail = r[0];
      if (first) startMeeting(meeting);
      render(meeting.live);
      $("rehearsal").hidden = !detail.may.rehearse;
      attendance = r[2];
      canChair = meeting.canChair;
      renderBox(r[1]);
    },
    live: function () { return meeting.projectorPath.split("/")[2]; },
    onLive: function (state) { if (preview) preview.render($("preview"), state); },
    poll: 5000
  };
})());
