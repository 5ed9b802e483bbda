// The chair's console: agenda, the on-site reports with their clock, comments, the projector message.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, L = window.PingyiLive, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = location.pathname.split("/")[2];
  var base = "/api/v1/campaigns/" + id;
  var meeting = null, live = null, commentFor = null, agendaDraft = null;
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
    var agenda = $("agenda");
    agenda.textContent = "";
    state.agenda.forEach(function (item, index) {
      agenda.appendChild(el("li", { class: index === state.currentItem ? "current" : "" }, item.title,
        index === state.currentItem ? el("span", { class: "state state-meeting" }, "进行中")
          : meeting.canChair ? el("button", { type: "button", class: "small", onclick: function () {
              act(P.api("POST", base + "/meeting/current", { index: index }), "进入议程：" + item.title);
            } }, "进入") : null));
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
    var box = $("stage-buttons");
    box.textContent = "";
    if (!sp || !meeting.canChair) return;
    var phase = sp.clock.phase;
    function button(label, action, primary) {
      box.appendChild(el("button", { type: "button", class: primary ? "primary" : "", "data-action": action, onclick: function (e) {
        if (action === "end" && !window.confirm("结束 " + sp.name + " 的述职？")) return;
        P.busy(e.target, "…", function () { return act(P.api("POST", base + "/speeches/" + sp.reporteeID + "/" + action)); });
      } }, label));
    }
    if (phase === "not_started") button("开始述职", "start", true);
    if (phase === "running" || phase === "warning" || phase === "overtime") { button("暂停", "pause"); button("结束述职", "end", true); }
    if (phase === "paused") { button("继续", "resume", true); button("结束述职", "end"); }
    if (phase === "finished" && !sp.commented) box.appendChild(el("span", { class: "muted" }, "请在下方记录点评后开始下一位"));
  }

  function renderSpeakers() {
    var body = $("speakers").querySelector("tbody");
    body.textContent = "";
    var pending = null;
    live.speakers.forEach(function (s) {
      var comment = meeting.comments[s.reporteeID];
      if (s.clock.phase === "finished" && !s.commented && !pending) pending = s;
      body.appendChild(el("tr", { class: s.reporteeID === live.currentReporteeID ? "current" : "" },
        el("td", null, String(s.position)), el("td", null, s.name, el("div", { class: "muted" }, s.unitName)),
        el("td", null, phaseNames[s.clock.phase]),
        el("td", { class: s.durationSeconds > s.clock.limitSeconds ? "error" : "" }, s.durationSeconds != null ? L.format(-s.durationSeconds * 1000).slice(1) : "—"),
        el("td", null, s.commentSkipped ? el("span", { class: "muted" }, "不点评") : comment || (s.clock.phase === "finished" ? "待点评" : ""),
          meeting.canChair && s.clock.phase === "finished" ? el("button", { type: "button", class: "small", onclick: function () { openComment(s); } }, "编辑") : null)));
    });
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

  function renderAgendaInputs(agenda) {
    var box = $("agenda-inputs");
    box.textContent = "";
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
  $("agenda-add").addEventListener("click", function () { agendaDraft = readAgenda(); agendaDraft.push({ title: "新议程", kind: "other" }); renderAgendaInputs(agendaDraft); });
  $("agenda-save").addEventListener("click", function () {
    act(P.api("PUT", base + "/meeting/agenda", readAgenda()), "议程已保存").then(function () { agendaDraft = null; render(live); });
  });

  P.start(function () {
    $("back-link").href = "/campaigns/" + id;
    $("checkin-link").href = "/campaigns/" + id + "/check-in";
    $("minutes-link").href = "/campaigns/" + id + "/minutes";
    return P.api("GET", base + "/meeting").then(function (m) {
      meeting = m;
      Array.prototype.forEach.call(document.querySelectorAll("[data-chair]"), function (n) { n.hidden = !m.canChair; });
      $("comment-form").hidden = true;
      $("projector-link").href = m.projectorPath;
      render(m.live);
      L.connect(m.projectorPath.split("/")[2], function (state) {
        // Comments are not on the public channel: refresh them when a speech changes.
        P.api("GET", base + "/meeting").then(function (fresh) { meeting = fresh; render(fresh.live); }).catch(function () { render(state); });
      }, L.showStatus($("conn")));
      L.drive($("stage-clock"), function () { var sp = onStage(); return sp && sp.clock; });
    });
  });
});
