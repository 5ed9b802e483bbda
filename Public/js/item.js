// 整改事项: create (blank, or pre-filled from a comment or a result sheet), view, edit, act, upload evidence, history.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var key = location.pathname.split("/")[2];
  var creating = key === "new";
  var draft = {};
  var current = null, page = null, editing = false;
  var labels = { acknowledge: "签收", progress: "报送进展", request_close: "申请销号", approve_close: "同意销号", reject: "驳回",
    request_extension: "申请延期", approve_extension: "同意延期", refuse_extension: "不同意延期", reopen: "回头看重新整改", confirm: "回头看确认整改到位" };

  // 责任单位 from the org tree (issue 23's walk): picked units name the 责任单位 and the dashboard counts under them;
  // an item without picks (from before) keeps its free text.
  var unitsLoaded = null;
  function loadUnits() {
    if (!unitsLoaded) {
      unitsLoaded = P.api("GET", "/api/v1/org-units").then(function (list) {
        var select = $("f-units");
        select.textContent = "";
        P.unitChoices(list).forEach(function (c) { select.appendChild(el("option", { value: c.value }, c.label)); });
      });
    }
    return unitsLoaded;
  }
  function pickedUnits() {
    return Array.prototype.filter.call($("f-units").options, function (o) { return o.selected; });
  }
  function showPicked() {
    var picked = pickedUnits();
    if (picked.length) $("f-unit-name").value = picked.map(function (o) { return o.textContent.replace(/^\u3000+/, ""); }).join("、");
    $("f-unit-name").readOnly = picked.length > 0;
  }
  function pickUnits(ids) {
    Array.prototype.forEach.call($("f-units").options, function (o) { o.selected = ids.indexOf(o.value) >= 0; });
    showPicked();
  }

  function fillForm(d) {
    $("f-source").value = d.source || "inspection";
    $("f-category").value = d.category || "";
    $("f-problem").value = d.problem || "";
    $("f-plan").value = d.plan || "";
    $("f-leader").value = d.linkedLeader || "";
    $("f-unit-name").value = d.responsibleUnit || "";
    $("f-person").value = d.responsiblePerson || "";
    $("f-deadline").value = d.deadline || "";
    $("f-feedback").value = d.feedback || "";
    $("f-publish").checked = d.publishWhenClosed !== false;
    loadUnits().then(function () { pickUnits(d.responsibleUnitIDs || []); });
  }

  function formBody() {
    return { source: $("f-source").value, category: $("f-category").value, problem: $("f-problem").value, plan: $("f-plan").value,
      linkedLeader: $("f-leader").value, responsibleUnit: $("f-unit-name").value, responsiblePerson: $("f-person").value,
      deadline: $("f-deadline").value, feedback: $("f-feedback").value, publishWhenClosed: $("f-publish").checked,
      responsibleUnitIDs: pickedUnits().map(function (o) { return o.value; }) };
  }

  function render(d) {
    current = d;
    var item = d.item;
    document.title = "整改事项 · " + item.responsibleUnit;
    $("i-title").textContent = item.responsibleUnit + " · " + item.responsiblePerson;
    $("crumb").textContent = item.problem.length > 20 ? item.problem.slice(0, 20) + "…" : item.problem;
    $("i-state").textContent = item.stateLabel;
    $("i-state").className = "state rect-" + item.state;
    $("i-overdue").hidden = !item.overdue;
    $("v-source").textContent = item.sourceLabel;
    $("v-category").textContent = item.category || "—";
    $("v-problem").textContent = item.problem;
    $("v-plan").textContent = item.plan;
    $("v-leader").textContent = item.linkedLeader;
    $("v-owner").textContent = item.responsibleUnit + "/" + item.responsiblePerson;
    $("v-deadline").textContent = item.deadline + (item.pendingExtension ? "（申请延期至 " + item.pendingExtension.deadline + "：" + item.pendingExtension.reason + "，待审核）" : "");
    $("v-evidence-count").textContent = item.evidenceCount ? item.evidenceCount + " 份" : "尚未上传";
    $("v-feedback").textContent = item.feedback || "—";
    // While the item is being edited a refresh leaves the form (and what is typed in it) open.
    $("i-parts").hidden = editing;
    $("item-form").hidden = !editing;
    $("i-edit-line").hidden = !item.canEdit || editing;
    // The buttons are the server's answer to "what may I do with this item now"; redrawn only when that changes.
    P.redraw($("a-buttons"), item.actions.join(), function (buttons) {
      item.actions.forEach(function (action) {
        var danger = action === "reject" || action === "refuse_extension" || action === "reopen";
        var b = el("button", { type: "button", class: action === "approve_close" ? "primary" : danger ? "danger" : null, "data-action": action }, labels[action] || action);
        b.addEventListener("click", function () { act(action, b); });
        buttons.appendChild(b);
      });
    });
    $("a-deadline").parentNode && ($("a-deadline").disabled = item.actions.indexOf("request_extension") < 0);
    $("evidence-box").hidden = item.state === "closed";
    $("act-panel").hidden = item.actions.length === 0 && item.state === "closed";
    P.redrawList($("i-files").querySelector("tbody"), d.evidence, function (f) { return f.id; }, function (f) {
      return el("tr", null, el("td", null, el("a", { href: "/api/v1/rectification/" + item.id + "/evidence/" + f.id, target: "_blank", rel: "noopener" }, f.fileName)),
        el("td", { class: "nowrap" }, P.formatBytes(f.byteCount)), el("td", { class: "mono" }, f.sha256.slice(0, 16) + "…"),
        el("td", null, f.uploadedBy), el("td", { class: "nowrap" }, P.formatTime(f.uploadedAt).slice(0, 16)));
    });
    $("files-panel").hidden = d.evidence.length === 0;
    P.redrawList($("i-history").querySelector("tbody"), d.events, function (e) { return e.at + e.action + e.actor; }, function (e) {
      return el("tr", null, el("td", { class: "nowrap" }, P.formatTime(e.at).slice(0, 16)), el("td", null, e.actor),
        el("td", null, e.actionLabel), el("td", { class: "nowrap" }, e.toState ? (e.fromState ? e.fromState + " → " : "") + e.toState : ""),
        el("td", null, e.note));
    });
    $("history-panel").hidden = false;
  }

  function act(action, button) {
    var body = { action: action, note: $("a-note").value };
    if (action === "request_extension") body.deadline = $("a-deadline").value;
    var asked = action === "approve_close" ? P.ask({ title: "同意销号", confirmLabel: "同意销号",
        lines: ["销号后事项关闭，不再报送进展。", "回头看发现问题反弹时可以重新整改。"] })
      : action === "reopen" ? P.ask({ title: "回头看：重新整改", confirmLabel: "重新整改", danger: true,
        lines: ["事项回到“整改中”，责任人须重新报送进展并申请销号。"] })
      : action === "confirm" ? P.ask({ title: "回头看：确认整改到位", confirmLabel: "确认整改到位",
        lines: ["事项保持“已销号”，回头看的情况（填在“说明”中）记入办理记录，并在整改成果公示中列出。"] })
      : Promise.resolve({});
    asked.then(function (answer) { if (answer) send(action, button, body); });
  }

  function send(action, button, body) {
    P.busy(button, "处理中…", function () {
      return P.api("POST", "/api/v1/rectification/" + current.item.id + "/actions", body).then(function (d) {
        $("a-note").value = "";
        render(d);
        P.flash("已" + labels[action] + "。");
      });
    });
  }

  function wire() {
  $("e-upload").addEventListener("click", function () {
    var file = $("e-file").files[0];
    if (!file) { P.flash("请先选择文件。", "error"); return; }
    if (file.size > 20 * 1024 * 1024) { P.flash("文件超过 20 MB。", "error"); return; }
    P.busy($("e-upload"), "上传中…", function () {
      return P.api("POST", "/api/v1/rectification/" + current.item.id + "/evidence", undefined, { file: file }).then(function () {
        $("e-file").value = "";
        P.flash("已上传佐证材料。");
        return P.api("GET", "/api/v1/rectification/" + current.item.id).then(render);
      });
    });
  });

  $("edit").addEventListener("click", function () {
    fillForm(current.item);
    editing = true;
    $("item-form").hidden = false;
    $("i-parts").hidden = true;
    $("i-edit-line").hidden = true;
    $("f-problem").focus();
  });

  $("f-units").addEventListener("change", showPicked);

  $("item-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy($("save"), "保存中…", function () {
      if (creating) {
        var body = formBody();
        ["campaignID", "reporteeID", "ownerUserID", "orgUnitID"].forEach(function (k) { if (draft[k]) body[k] = draft[k]; });
        return P.api("POST", "/api/v1/rectification", body).then(function (d) {
          location.href = "/rectification/" + d.item.id;
        });
      }
      return P.api("PATCH", "/api/v1/rectification/" + current.item.id, formBody()).then(function (d) { editing = false; render(d); P.flash("已保存。"); });
    });
  });

  }

  function startCreating() {
    $("i-title").textContent = "下发整改事项";
    $("crumb").textContent = "下发整改事项";
    $("item-form").hidden = false;
    $("save").textContent = "下发";
    var params = new URLSearchParams(location.search);
    var from = params.get("from");
    var start = from ? P.api("GET", "/api/v1/rectification/draft?from=" + encodeURIComponent(from) + "&campaign=" +
      encodeURIComponent(params.get("campaign") || "") + "&reportee=" + encodeURIComponent(params.get("reportee") || "")) : Promise.resolve({});
    return start.then(function (d) {
      draft = d || {};
      fillForm(draft);
      if (!draft.deadline) {
        var t = new Date(Date.now() + 30 * 86400000);
        $("f-deadline").value = t.getFullYear() + "-" + String(t.getMonth() + 1).padStart(2, "0") + "-" + String(t.getDate()).padStart(2, "0");
      }
      (draft.plan ? $("f-leader") : $("f-plan")).focus();
    });
  }

  return {
    start: function (ctx) { page = ctx; wire(); if (creating) return startCreating(); },
    load: function () { return creating ? null : P.api("GET", "/api/v1/rectification/" + key); },
    draw: function (d) { if (d) render(d); },
    // Another person's 报送进展 or 审核 reaches an open item: the ledger is not on the live channel, so it is polled.
    poll: 5000
  };
})());
