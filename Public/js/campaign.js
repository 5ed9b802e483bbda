// One campaign's set-up: lifecycle, reportees and reports, participants, rater groups, forms, rules, materials, audit.
// The one page shape (pingyi.js): load the campaign (with its participants, and the org units and accounts a
// manager picks from), draw each part by key — a table row is rebuilt only when its own data changed, typed rules and
// form edits stay as typed — and every action refreshes through the page.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = P.campaignID();
  var base = "/api/v1/campaigns/" + id;
  var detail = null, participants = [], draftForms = null, page = null;
  var grades = [["good", "好"], ["fairly_good", "较好"], ["average", "一般"], ["poor", "差"]];
  var pointKeys = { good: "good", fairly_good: "fairlyGood", average: "average", poor: "poor" };

  // What this user may do here now comes from the server (`may`): the page compares no role and no phase.
  function setup() { return detail.may.editSetup; }
  function peopleEditable() { return detail.may.editPeople; }
  function show(selector, visible) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (n) { n.hidden = !visible; });
  }

  function load() { return page.refresh(); }

  function apply(promise, message) {
    return promise.then(function (d) {
      if (d && d.campaign) { detail = d; draftForms = null; render(); }
      if (message) P.flash(message);
    });
  }

  function render() {
    var c = detail.campaign;
    document.title = c.title + " · 评议 Pingyi";
    $("crumb-title").textContent = c.title;
    $("c-title").textContent = c.title;
    $("c-status").textContent = c.statusLabel;
    $("c-status").className = "state state-" + c.status;
    $("c-demo").hidden = !c.isDemo;
    $("c-meta").textContent = c.year + " 年度 · " + c.levelLabel + " · 述职对象 " + detail.reportees.length + " 人 · 出席 " +
      detail.participants.attendees + " 人，列席 " + detail.participants.observers + " 人，指导 " + detail.participants.guests + " 人";
    show("[data-manage]", detail.permissions.manage);
    show("[data-setup]", setup());
    show(".manage-col", detail.permissions.manage);
    $("info-form").hidden = !detail.may.editInfo;
    $("e-title").value = c.title;
    $("e-year").value = c.year;
    // 筹备 too: the console and projector can be rehearsed and the check-in cards printed before the meeting.
    $("meeting-links").hidden = !detail.may.meetingPages;
    $("link-console").textContent = detail.may.rehearse ? "主持人控制台（彩排）" : "主持人控制台";
    $("link-cards").href = "/campaigns/" + id + "/check-in-cards";
    $("doc-meeting-notice").href = base + "/documents/meeting-notice.docx";
    $("link-cards").hidden = !detail.may.printCards;
    $("link-tally").hidden = !detail.may.tally;
    $("link-minutes").hidden = !detail.may.tally;
    renderReadiness();
    $("link-console").href = "/campaigns/" + id + "/console";
    $("link-checkin").href = "/campaigns/" + id + "/check-in";
    $("link-checkin").hidden = !detail.may.checkIn;
    $("link-minutes").href = "/campaigns/" + id + "/minutes";
    $("link-tally").href = "/campaigns/" + id + "/tally";
    $("link-results").href = "/campaigns/" + id + "/results";
    $("link-results").hidden = !detail.may.results;
    renderLifecycle();
    renderReportees();
    renderGroups();
    renderForms();
    renderRules();
    renderMaterials();
    $("participant-form").hidden = !peopleEditable();
    $("participant-import").hidden = !peopleEditable();
    $("reportee-import").hidden = !setup();
  }

  /// 筹备 → 会议中 → 已发布 → 归档: where the campaign stands, and each step with what it does, asked in a dialog.
  /// A count belongs to a ballot round (the console), publication to the results page.
  var lifecycleSteps = [
    { status: "preparing", label: "筹备" }, { status: "meeting", label: "会议中" },
    { status: "published", label: "已发布" }, { status: "archived", label: "归档" }];
  var lifecycleActions = {
    meeting: { label: "开始会议（进入会议中）", confirm: "开始会议", lines: [
      "评议表、评议规则、评议人类别和述职对象将锁定，不能再修改。",
      "每位参会人员得到签到码，可打印签到卡；主持人控制台、大屏和签到页随即可用。",
      "开启投票之前，还可以退回筹备。"] },
    preparing: { label: "退回筹备", confirm: "退回筹备", lines: [
      "评议表、规则和述职对象可以重新修改；签到码和签到记录保留。",
      "已开启过投票的活动不能退回（投票码和选票必须保留）。"] },
    archived: { label: "归档", confirm: "归档", danger: true, lines: [
      "归档后活动的全部内容只读：不能修改、不能再发布或撤回公示。",
      "纸质评议表的扫描页面图像将被删除（识别读数、录入裁定记录和评议结果保留）；如需留存原图，请在归档前下载或保管好纸质原票。",
      "此操作不能撤销。"] },
  };

  var readinessAnchor = { forms: "#forms", rater_groups: "#groups", rules: "#rules", reportees: "#reportees",
                          attendees: "#participants", accounts: "#reportees", written_reports: "#reportees" };
  function renderReadiness() {
    var items = detail.readiness || [];
    $("readiness-box").hidden = !items.length || !detail.may.editSetup;
    P.redrawList($("readiness"), items, function (item) { return item.key; }, function (item) {
      return el("li", { class: item.done ? "done" : item.required ? "todo" : "advice", "data-key": item.key },
        el("span", { class: "mark", "aria-hidden": "true" }, item.done ? "✓" : item.required ? "✗" : "•"),
        el("a", { href: readinessAnchor[item.key] || "#" }, item.label), item.required ? el("span", { class: "badge" }, "必须") : null,
        el("span", { class: "muted" }, "　" + item.detail));
    });
  }

  function renderLifecycle() {
    var c = detail.campaign;
    var current = c.status === "counting" ? "meeting" : c.status;
    P.redraw($("lifecycle-steps"), current, function (steps) {
      lifecycleSteps.forEach(function (step) {
        steps.appendChild(el("li", { "aria-current": step.status === current ? "step" : null }, step.label));
      });
    });
    if ($("lifecycle").getAttribute("data-drawn") !== c.status) $("lifecycle-details").open = detail.may.editSetup;
    P.redraw($("lifecycle"), c.status, function (box) { drawLifecycleActions(box, c); });
  }

  function drawLifecycleActions(box, c) {
    detail.may.changeStatus.forEach(function (target) {
      var action = lifecycleActions[target];
      box.appendChild(el("button", { type: "button", "data-status": target, onclick: function (e) { changeStatus(e.target, target); } }, action.label));
    });
    if (detail.may.deleteCampaign) {
      box.appendChild(el("button", { type: "button", class: "danger", onclick: removeCampaign }, "删除本活动"));
    }
    box.appendChild(el("p", { class: "muted small" }, {
      preparing: "筹备阶段可修改评议表、规则、述职对象。",
      meeting: "会议进行中：可补充参会人员、上传述职材料。每一轮投票在主持人控制台开启、封箱、计票；计票后到“评议结果”页发布公示，活动即进入已发布。",
      counting: "计票后到“评议结果”页发布公示。", published: "结果已发布。公示结束后可以归档。", archived: "已归档，所有内容只读。"
    }[c.status]));
  }

  function changeStatus(button, target) {
    var action = lifecycleActions[target];
    P.ask({ title: action.label, lines: action.lines, confirmLabel: action.confirm, danger: action.danger }).then(function (answer) {
      if (!answer) return;
      P.busy(button, "正在处理…", function () { return apply(P.api("POST", base + "/status", { status: target }), "活动状态已更新"); });
    });
  }

  function removeCampaign() {
    P.ask({ title: "删除本活动", danger: true, confirmLabel: "删除", lines: ["评议表、规则、述职对象和参会人员将一并删除。", "此操作不能恢复。"] })
      .then(function (answer) {
        if (answer) P.api("DELETE", base).then(function () { location.href = "/"; }).catch(P.fail);
      });
  }

  $("info-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return apply(P.api("PATCH", base, { title: $("e-title").value, year: parseInt($("e-year").value, 10) }), "活动信息已保存");
    });
  });

  // 述职对象
  function renderReportees() {
    $("reportee-count").textContent = "（会上述职 " + detail.reportees.filter(function (r) { return r.mode === "onsite"; }).length +
      " 人，书面述职 " + detail.reportees.filter(function (r) { return r.mode === "written"; }).length + " 人）";
    var canUpload = detail.may.uploadReports;
    var rows = detail.reportees.map(function (r, index) { return { r: r, index: index }; });
    var state = [setup(), canUpload, detail.permissions.manage, detail.may.linkAccounts, detail.reportees.length];
    P.redrawList($("reportee-table").querySelector("tbody"), rows, function (row) { return row.r.id; }, function (row) {
      var r = row.r, index = row.index;
      var report = r.report
        ? el("span", null, el("a", { href: base + "/reportees/" + r.id + "/report", target: "_blank", rel: "noopener" }, r.report.fileName),
             " ", el("span", { class: "muted", title: "SHA-256 " + r.report.sha256 }, P.formatBytes(r.report.byteCount)))
        : el("span", { class: "muted" }, "未上传");
      var upload = canUpload ? el("label", { class: "button-like" }, r.report ? "替换" : "上传",
        el("input", { type: "file", class: "visually-hidden", accept: ".pdf,.docx,.txt", "aria-label": "上传 " + r.name + " 的述职材料",
                      onchange: function (e) { uploadReport(r, e.target); } })) : null;
      var actions = el("td", { class: "nowrap manage-col", hidden: !detail.permissions.manage }, upload,
        setup() && index > 0 ? el("button", { type: "button", title: "上移", "aria-label": "上移 " + r.name, onclick: function () { moveReportee(r, r.position - 1); } }, "↑") : null,
        setup() && index < detail.reportees.length - 1 ? el("button", { type: "button", title: "下移", "aria-label": "下移 " + r.name, onclick: function () { moveReportee(r, r.position + 1); } }, "↓") : null,
        setup() ? el("button", { type: "button", onclick: function () { toggleMode(r); } }, r.mode === "onsite" ? "改为书面" : "改为会上") : null,
        setup() && r.mode === "onsite" ? el("button", { type: "button", "data-action": "limit", onclick: function () { changeLimit(r); } }, "时限") : null,
        setup() ? el("button", { type: "button", class: "danger", onclick: function () { removeReportee(r); } }, "删除") : null);
      return el("tr", null, el("td", { class: "nowrap" }, String(r.position)), el("td", { class: "nowrap person" }, r.name), el("td", null, r.unitName),
        el("td", null, r.title || "—"), el("td", { class: "nowrap" }, r.modeLabel),
        el("td", { class: "nowrap" }, r.mode === "onsite" ? (r.timeLimitSeconds / 60) + " 分钟" : "—"), el("td", null, report),
        el("td", { class: "manage-col", hidden: !detail.permissions.manage }, el("span", { class: r.userID ? null : "muted" }, accountName(r)), " ",
          detail.may.linkAccounts ? el("button", { type: "button", class: "small", "data-action": "account",
            onclick: function () { linkAccount(r); } }, r.userID ? "更换" : "关联账号") : null),
        actions);
    }, function (row) { return P.key([row.r, row.index, state, accountName(row.r)]); });
  }

  function uploadReport(r, input) {
    var file = input.files[0];
    if (!file) return;
    if (file.size > 20 * 1024 * 1024) { P.flash("文件超过 20 MB", "error"); return; }
    P.flash("正在上传 " + file.name + "…");
    P.api("PUT", base + "/reportees/" + r.id + "/report", undefined, { file: file })
      .then(function (info) { P.flash("已上传 " + r.name + " 的述职材料《" + info.fileName + "》"); return load(); }).catch(P.fail);
  }
  function moveReportee(r, position) { apply(P.api("PATCH", base + "/reportees/" + r.id, { position: position })).catch(P.fail); }
  function toggleMode(r) {
    apply(P.api("PATCH", base + "/reportees/" + r.id, { mode: r.mode === "onsite" ? "written" : "onsite" }), "已修改 " + r.name + " 的述职方式").catch(P.fail);
  }
  function changeLimit(r) {
    P.ask({ title: r.name + " 的发言时限", confirmLabel: "保存",
            fields: [{ name: "minutes", label: "时限（分钟，1–60）", type: "number", value: r.timeLimitSeconds / 60, min: 1, max: 60, step: 0.5 }] })
      .then(function (a) {
        if (!a) return;
        var seconds = Math.round(parseFloat(a.minutes) * 60);
        apply(P.api("PATCH", base + "/reportees/" + r.id, { timeLimitSeconds: seconds }), "已修改 " + r.name + " 的发言时限").catch(P.fail);
      });
  }
  function removeReportee(r) {
    P.ask({ title: "删除述职对象 " + r.name, lines: ["此人不再出现在评议表和结果中。"], confirmLabel: "删除", danger: true }).then(function (answer) {
      if (answer) apply(P.api("DELETE", base + "/reportees/" + r.id), "已删除 " + r.name).catch(P.fail);
    });
  }
  // 述职对象 from the org tree (its stored 书记), from a file, and each secretary's account.
  var units = [], accounts = [], unitsLoaded = false;
  function loadUnitsAndAccounts() {
    if (!detail.permissions.manage) return Promise.resolve();
    return Promise.all([P.api("GET", "/api/v1/org-units"), P.api("GET", "/api/v1/users")]).then(function (r) {
      unitsLoaded = true;
      units = r[0];
      accounts = r[1].filter(function (u) { return u.role === "reportee"; });
      drawUnitPicker();
    });
  }
  /// 从组织树选取: the units below the campaign's own organisation that have a 书记 on record, in tree order with
  /// siblings by name, indented — a town's campaign does not list the whole district.
  function drawUnitPicker() {
    var children = {};
    units.forEach(function (u) { (children[u.parentID || ""] = children[u.parentID || ""] || []).push(u); });
    var byName = function (a, b) { return a.name.localeCompare(b.name, "zh-Hans-CN"); };
    var choices = [];
    function walk(unit, depth) {
      (children[unit.id] || []).slice().sort(byName).forEach(function (c) {
        choices.push({ unit: c, depth: depth });
        walk(c, depth + 1);
      });
    }
    var root = units.filter(function (u) { return u.id === detail.campaign.orgUnitID; })[0];
    if (root) walk(root, 0);
    var listed = choices.filter(function (c) { return c.unit.secretaryName; });
    P.redraw($("r-from"), P.key(listed.map(function (c) { return [c.unit.id, c.unit.name, c.unit.secretaryName, c.depth]; })), function (select) {
      select.appendChild(P.option("", listed.length ? "（手工填写）" : "（本组织之下没有登记书记的组织，请手工填写）"));
      listed.forEach(function (c) {
        select.appendChild(P.option(c.unit.id, "\u3000".repeat(c.depth) + c.unit.name + " · " + c.unit.secretaryName));
      });
    });
  }
  $("r-from").addEventListener("change", function () {
    var unit = units.filter(function (u) { return u.id === $("r-from").value; })[0];
    if (!unit) return;
    $("r-name").value = unit.secretaryName;
    $("r-unit").value = unit.name;
    $("r-title").value = unit.name.replace(/^\*\*/, "") + "书记";
  });
  function accountName(r) {
    var a = accounts.filter(function (u) { return u.id === r.userID; })[0];
    return a ? a.displayName + "（" + a.username + "）" : (r.userID ? "已关联" : "未关联");
  }
  function linkAccount(r) {
    var options = [{ value: "", label: "（新建账号）" }].concat(accounts.map(function (a) {
      return { value: a.id, label: a.displayName + "（" + a.username + "）" + (a.orgUnitName ? " · " + a.orgUnitName : "") };
    }));
    P.ask({ title: "关联 " + r.name + " 的账号", confirmLabel: "关联",
      lines: ["关联后，结果发布时书记可用此账号查看本人的评议结果表和整改事项。"],
      fields: [
        { name: "account", label: "已有的书记账号", type: "select", value: r.userID || "", options: options, required: false },
        { name: "username", label: "新建：登录名", required: false, maxlength: 50, hint: "选“新建账号”时填写：字母、数字或 . _ -" },
        { name: "password", label: "新建：初始密码", type: "password", required: false, minlength: 8, maxlength: 200 }],
      validate: function (v) {
        if (v.account) return "";
        if (!v.username.trim() || v.password.length < 8) return "新建账号须填写登录名和至少 8 位的初始密码";
        return "";
      } }).then(function (v) {
      if (!v) return;
      var made = v.account ? Promise.resolve({ id: v.account })
        : P.api("POST", "/api/v1/users", { username: v.username.trim(), displayName: r.name, role: "reportee",
                                           orgUnitID: r.orgUnitID || detail.campaign.orgUnitID, password: v.password });
      made.then(function (account) {
        return apply(P.api("PATCH", base + "/reportees/" + r.id, { userID: account.id }), "已关联 " + r.name + " 的账号");
      }).then(function () { unitsLoaded = false; return load(); }).catch(P.fail);
    });
  }
  $("reportee-import").addEventListener("submit", function (event) {
    event.preventDefault();
    var file = $("r-file").files[0];
    if (!file) return;
    $("reportee-issues").hidden = true;
    P.busy(event.target.querySelector("button"), "正在导入…", function () {
      return P.importFile(base + "/reportees/import", file)
        .then(function (r) { P.flash("已导入 " + r.imported + " 名述职对象"); event.target.reset(); return load(); },
              function (err) { P.showIssues($("reportee-issues"), err); throw err; });
    });
  });

  $("reportee-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return apply(P.api("POST", base + "/reportees", {
        name: $("r-name").value, unitName: $("r-unit").value, title: $("r-title").value, mode: $("r-mode").value,
        timeLimitSeconds: Math.round(parseFloat($("r-limit").value || "8") * 60)
      }), "已新增述职对象").then(function () { $("r-name").value = ""; $("r-unit").value = ""; $("r-title").value = ""; $("r-name").focus(); });
    });
  });

  // 参会人员
  function loadParticipants() {
    if (!detail.permissions.viewParticipants) return Promise.resolve();
    return P.api("GET", base + "/participants").then(function (list) { participants = list; });
  }

  function groupName(groupID) {
    var g = detail.raterGroups.filter(function (g) { return g.id === groupID; })[0];
    return g ? g.name : "—";
  }

  function renderParticipants() {
    $("participant-denied").hidden = detail.permissions.viewParticipants;
    $("participant-box").hidden = !detail.permissions.viewParticipants;
    var filter = $("p-filter").value.trim();
    var shown = participants.filter(function (p) { return !filter || p.name.indexOf(filter) >= 0 || p.unitName.indexOf(filter) >= 0; });
    $("participant-count").textContent = "（共 " + participants.length + " 人" + (filter ? "，筛选出 " + shown.length + " 人" : "") + "）";
    var state = [detail.permissions.manage, peopleEditable()];
    P.redrawList($("participant-table").querySelector("tbody"), shown, function (p) { return p.id; }, function (p) {
      return el("tr", null, el("td", { class: "nowrap" }, String(p.position)), el("td", { class: "nowrap person" }, p.name), el("td", null, p.unitName || "—"),
        el("td", { class: "nowrap" }, p.roleLabel), el("td", null, p.role === "attendee" ? groupName(p.raterGroupID) : "不参加评议"),
        el("td", { class: "manage-col", hidden: !detail.permissions.manage }, peopleEditable()
          ? el("button", { type: "button", class: "danger", onclick: function (e) { removeParticipant(p, e.target); } }, "删除") : null));
    }, function (p) { return P.key([p, groupName(p.raterGroupID), state]); });
    var chosen = $("p-group").value;
    P.redraw($("p-group"), P.key(detail.raterGroups.map(function (g) { return [g.id, g.name]; })), function (select) {
      detail.raterGroups.forEach(function (g) { select.appendChild(P.option(g.id, g.name, g.id === chosen)); });
    });
  }
  $("p-filter").addEventListener("input", renderParticipants);
  $("p-role").addEventListener("change", function () { $("p-group").disabled = $("p-role").value !== "attendee"; });

  function removeParticipant(p, button) {
    P.ask({ title: "删除参会人员 " + p.name, lines: ["此人不再计入应到人数，签到卡作废。"], confirmLabel: "删除", danger: true }).then(function (answer) {
      if (answer) P.busy(button, "正在删除…", function () {
        return P.api("DELETE", base + "/participants/" + p.id).then(function () { P.flash("已删除 " + p.name); return load(); });
      });
    });
  }
  $("participant-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var role = $("p-role").value;
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return P.api("POST", base + "/participants", {
        name: $("p-name").value, unitName: $("p-unit").value, role: role,
        raterGroupID: role === "attendee" ? $("p-group").value : undefined
      }).then(function (p) { $("p-name").value = ""; $("p-name").focus(); P.flash("已新增 " + p.name); return load(); });
    });
  });
  $("participant-import").addEventListener("submit", function (event) {
    event.preventDefault();
    var file = $("p-file").files[0];
    if (!file) return;
    $("participant-issues").hidden = true;
    P.busy(event.target.querySelector("button"), "正在导入…", function () {
      return P.importFile(base + "/participants/import", file)
        .then(function (r) { P.flash("已导入 " + r.imported + " 名参会人员"); event.target.reset(); return load(); },
              function (err) { P.showIssues($("participant-issues"), err); throw err; });
    });
  });

  // 评议人类别
  function renderGroups() {
    var rows = detail.raterGroups.map(function (g, index) { return { g: g, index: index }; });
    var state = [detail.permissions.manage, setup()];
    P.redrawList($("group-table").querySelector("tbody"), rows, function (row) { return row.g.id; }, function (row) {
      var g = row.g, index = row.index;
      return el("tr", null, el("td", null, String(index + 1)), el("td", { class: "nowrap" }, g.name),
        el("td", null, g.weight === undefined || g.weight === null ? "—" : String(g.weight)), el("td", null, String(g.attendees)),
        el("td", { class: "nowrap manage-col", hidden: !detail.permissions.manage }, setup() ? [
          index > 0 ? el("button", { type: "button", "aria-label": "上移 " + g.name, onclick: function () { apply(P.api("PATCH", base + "/rater-groups/" + g.id, { position: index })).catch(P.fail); } }, "↑") : null,
          el("button", { type: "button", onclick: function () { renameGroup(g); } }, "改名"),
          el("button", { type: "button", class: "danger", onclick: function () { removeGroup(g); } }, "删除")
        ].reduce(function (td, b) { if (b) td.appendChild(b); return td; }, document.createDocumentFragment()) : null));
    }, function (row) { return P.key([row.g, row.index, state]); });
  }
  function renameGroup(g) {
    P.ask({ title: "修改评议人类别名称", confirmLabel: "保存", fields: [{ name: "name", label: "类别名称", value: g.name, maxlength: 30 }] })
      .then(function (a) {
        if (a && a.name.trim() && a.name.trim() !== g.name) apply(P.api("PATCH", base + "/rater-groups/" + g.id, { name: a.name.trim() }), "已改名").catch(P.fail);
      });
  }
  function removeGroup(g) {
    P.ask({ title: "删除评议人类别“" + g.name + "”", lines: ["只能删除没有参会人员的类别。"], confirmLabel: "删除", danger: true }).then(function (answer) {
      if (answer) apply(P.api("DELETE", base + "/rater-groups/" + g.id), "已删除 " + g.name).catch(P.fail);
    });
  }
  $("group-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var weight = $("g-weight").value;
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return apply(P.api("POST", base + "/rater-groups", { name: $("g-name").value, weight: weight ? parseFloat(weight) : undefined }), "已新增类别")
        .then(function () { event.target.reset(); });
    });
  });

  // 评议表
  function renderForms() {
    var forms = draftForms || detail.forms;
    var editable = setup();
    P.redraw($("form-editor"), formsKey(), function (box) { drawForms(box, forms, editable); });
  }
  /// What the form editor shows: a typed edit is drawn already (the key follows it), so a refresh does not redraw
  /// the input being typed in.
  function formsKey() { return P.key([draftForms || detail.forms, setup()]); }
  function typed() { $("form-editor").setAttribute("data-drawn", formsKey()); }
  function drawForms(box, forms, editable) {
    forms.forEach(function (form, fi) {
      var list = el("ol", { class: "columns" });
      form.columns.forEach(function (col, ci) {
        var label = editable
          ? el("input", { value: col.name, "aria-label": "栏目名称", maxlength: "50", oninput: function (e) { edit().forms[fi].columns[ci].name = e.target.value; typed(); } })
          : el("span", null, col.name);
        list.appendChild(el("li", { class: col.kind === "overall" ? "overall" : "" }, label,
          el("span", { class: "muted" }, col.kind === "overall" ? " 总体评价栏" : " 单项"),
          editable && col.kind === "item" && ci > 0 && form.columns[ci - 1].kind === "item" ? el("button", { type: "button", class: "small",
            "aria-label": "上移栏目 " + col.name, onclick: function () {
              var cols = edit().forms[fi].columns; cols.splice(ci - 1, 0, cols.splice(ci, 1)[0]); renderForms();
            } }, "↑") : null,
          editable && col.kind === "item" ? el("button", { type: "button", class: "danger small", "aria-label": "删除栏目 " + col.name,
            onclick: function () { edit().forms[fi].columns.splice(ci, 1); renderForms(); } }, "删除") : null));
      });
      var title = editable
        ? el("input", { value: form.name, class: "form-name", "aria-label": "评议表名称", maxlength: "50", oninput: function (e) { edit().forms[fi].name = e.target.value; typed(); } })
        : el("strong", null, form.name);
      box.appendChild(el("div", { class: "form-card" }, el("div", { class: "form-card-head" }, el("span", null, "表" + (fi + 1) + "："), title,
        editable && forms.length > 1 ? el("button", { type: "button", class: "danger small", onclick: function () { edit().forms.splice(fi, 1); renderForms(); } }, "删除此表") : null),
        list, editable ? el("button", { type: "button", class: "small", onclick: function () {
          edit().forms[fi].columns.push({ name: "新栏目", kind: "item" }); renderForms();
        } }, "新增单项栏目") : null));
    });
  }
  function edit() {
    if (!draftForms) draftForms = JSON.parse(JSON.stringify(detail.forms));
    return { forms: draftForms };
  }
  $("add-form").addEventListener("click", function () {
    edit().forms.push({ name: "新评议表", columns: [{ name: "总体评价", kind: "overall" }, { name: "单项一", kind: "item" }] });
    renderForms();
  });
  $("save-forms").addEventListener("click", function (event) {
    P.busy(event.target, "正在保存…", function () {
      return apply(P.api("PUT", base + "/forms", draftForms || detail.forms), "评议表已保存");
    });
  });

  // 评议规则
  var rulesShown = null;
  function renderRules() {
    var r = detail.rules;
    // Refilled only when the stored rules (or what they apply to) changed: a refresh keeps what is being typed.
    var key = P.key([r, detail.forms.map(function (f) { return [f.id, f.name]; }), detail.raterGroups.map(function (g) { return [g.id, g.name]; }), setup()]);
    if (key === rulesShown) return;
    rulesShown = key;
    grades.forEach(function (g) { $("pt-" + g[0]).value = r.points[pointKeys[g[0]]]; });
    ["good", "fairly_good", "average"].forEach(function (g) {
      var band = r.grading.bands.filter(function (b) { return b.grade === g; })[0];
      $("band-" + g).value = band ? band.minimum : "";
    });
    $("low-num").value = r.grading.lowRatingThreshold.numerator;
    $("low-den").value = r.grading.lowRatingThreshold.denominator;
    $("low-ceiling").value = r.grading.lowRatingCeiling || "";
    $("cap-on").checked = !!r.grading.maxGoodShare;
    $("cap-pct").value = r.grading.maxGoodShare ? Math.round(100 * r.grading.maxGoodShare.numerator / r.grading.maxGoodShare.denominator) : 30;
    var fw = $("form-weights");
    fw.textContent = "";
    $("fw-on").checked = Object.keys(r.formWeights).length > 0;
    detail.forms.forEach(function (f) {
      fw.appendChild(el("label", null, f.name + " ", el("input", { type: "number", step: "any", min: "0", class: "tiny", "data-form": f.id, value: r.formWeights[f.id] || 1 })));
    });
    var gw = $("group-weights");
    gw.textContent = "";
    $("gw-on").checked = Object.keys(r.raterGroupWeights).length > 0;
    detail.raterGroups.forEach(function (g) {
      gw.appendChild(el("label", null, g.name + " ", el("input", { type: "number", step: "any", min: "0", class: "tiny", "data-group": g.id, value: r.raterGroupWeights[g.id] || 1 })));
    });
    Array.prototype.forEach.call($("rules-form").querySelectorAll("input, select"), function (n) { n.disabled = !setup(); });
  }
  $("rules-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var num = function (id) { return parseFloat($(id).value); };
    var rules = {
      points: { good: num("pt-good"), fairlyGood: num("pt-fairly_good"), average: num("pt-average"), poor: num("pt-poor") },
      raterGroupWeights: {}, formWeights: {},
      grading: {
        bands: [{ grade: "good", minimum: num("band-good") }, { grade: "fairly_good", minimum: num("band-fairly_good") },
                { grade: "average", minimum: num("band-average") }],
        lowRatingThreshold: { numerator: parseInt($("low-num").value, 10), denominator: parseInt($("low-den").value, 10) }
      }
    };
    if ($("low-ceiling").value) rules.grading.lowRatingCeiling = $("low-ceiling").value;
    if ($("cap-on").checked) rules.grading.maxGoodShare = { numerator: parseInt($("cap-pct").value, 10), denominator: 100 };
    if ($("fw-on").checked) Array.prototype.forEach.call($("form-weights").querySelectorAll("input"), function (n) { rules.formWeights[n.getAttribute("data-form")] = parseFloat(n.value); });
    if ($("gw-on").checked) Array.prototype.forEach.call($("group-weights").querySelectorAll("input"), function (n) { rules.raterGroupWeights[n.getAttribute("data-group")] = parseFloat(n.value); });
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return apply(P.api("PUT", base + "/rules", rules), "评议规则已保存");
    });
  });

  // 述职材料
  function renderMaterials() {
    if (!detail.materialsPath) return;
    var url = location.origin + detail.materialsPath;
    $("materials-link").textContent = url;
    $("materials-link").href = url;
    $("materials-state").textContent = detail.materialsPublic ? "已开放" : "已关闭";
    $("materials-state").className = "state " + (detail.materialsPublic ? "state-meeting" : "state-archived");
    $("materials-toggle").textContent = detail.materialsPublic ? "关闭阅读链接" : "开放阅读链接";
    $("materials-toggle").disabled = !detail.may.editInfo;
  }
  $("materials-toggle").addEventListener("click", function (event) {
    P.busy(event.target, "正在处理…", function () {
      return apply(P.api("PATCH", base, { materialsPublic: !detail.materialsPublic }), detail.materialsPublic ? "已关闭阅读链接" : "已开放阅读链接");
    });
  });

  // 操作日志
  $("load-audit").addEventListener("click", function (event) {
    P.busy(event.target, "正在加载…", function () {
      return P.api("GET", base + "/audit").then(function (entries) {
        var body = $("audit-table").querySelector("tbody");
        body.textContent = "";
        entries.forEach(function (e) {
          var diff = e.before || e.after ? el("details", null, el("summary", null, "查看"),
            e.before ? el("pre", null, "修改前：" + e.before) : null, e.after ? el("pre", null, "修改后：" + e.after) : null) : null;
          body.appendChild(el("tr", null, el("td", { class: "nowrap" }, P.formatTime(e.at)), el("td", null, e.actor), el("td", null, e.summary), el("td", null, diff)));
        });
        $("audit-table").hidden = false;
        if (!entries.length) P.flash("暂无操作记录");
      });
    });
  });

  return {
    start: function (ctx) { page = ctx; },
    load: function () {
      return P.api("GET", base).then(function (d) {
        detail = d;
        return Promise.all([loadParticipants(), unitsLoaded ? null : loadUnitsAndAccounts()]);
      });
    },
    draw: function () { render(); renderParticipants(); }
  };
})());
