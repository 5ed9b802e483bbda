// 评议结果: the summary in rank order, assessment entry, weights, exports and 公示.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = P.campaignID();
  var base = "/api/v1/campaigns/" + id;
  var results = null, page = null;
  /// Rows of 考核录入 with typed, unsaved scores: a refresh leaves them as typed until they are saved.
  var typed = {};
  var parts = ["daily", "target", "onsite"];

  var pct = P.pct, num = P.num;
  function partScore(r, key) {
    var p = r.assessment && r.assessment.parts.filter(function (q) { return q.component === key; })[0];
    return p && p.score !== null && p.score !== undefined ? String(p.score) : "";
  }

  /// 汇总表 (reading): rank order, no inputs, prints on A4 landscape.
  function row(r) {
    var a = r.assessment || {};
    var notes = r.flags.map(function (f) { return f.message; }).concat(a.notes || []);
    return el("tr", { class: r.flags.length ? "flagged" : null },
      el("td", { class: "noprint" }, el("input", { type: "checkbox", class: "pick", value: r.reporteeID, "aria-label": "公示 " + r.name,
        checked: !!picked()[r.reporteeID] })),
      el("td", null, r.rank ? String(r.rank) : "—"),
      el("td", { class: "nowrap" }, r.name),
      el("td", { class: "unit-col" }, r.unitName, r.title ? el("div", { class: "muted" }, r.title) : null),
      el("td", { class: "num" }, num(r.composite)), el("td", { class: "num" }, pct(r.goodRate)), el("td", null, r.gradeLabel || "—"),
      el("td", { class: "num" }, num(a.score)), el("td", { class: "strong" }, a.gradeLabel || "待定"),
      el("td", { class: "small-text notes-col" }, notes.join("；") || "—"),
      el("td", { class: "noprint nowrap" }, el("a", { href: "/campaigns/" + id + "/results/" + r.reporteeID }, "结果表"), " ",
        el("a", { href: base + "/documents/feedback/" + r.reporteeID, download: "", class: "doc-feedback-one" }, "反馈意见书")));
  }

  /// 考核录入 (entering): one row per secretary with the parts, the veto and its own 保存.
  function entryRow(r) {
    var inputs = {};
    var absent = (r.assessment && r.assessment.notApplicable) || [];
    parts.forEach(function (key) {
      // A part that does not apply (现场述职评分 of a written report) has no input: its weight goes to the others.
      if (absent.indexOf(key) >= 0) { inputs[key] = el("span", { class: "muted", "data-not-applicable": key }, "不适用（书面述职）"); return; }
      inputs[key] = el("input", { type: "number", class: "tiny", min: "0", max: "100", step: "any", value: partScore(r, key),
        "aria-label": r.name + " " + { daily: "日常考核", target: "目标管理责任制", onsite: "现场述职评分" }[key] });
    });
    var veto = el("input", { class: "short", maxlength: "500", placeholder: "无", value: (r.assessment && r.assessment.veto) || "",
      "aria-label": r.name + " 一票否决理由" });
    var save = el("button", { type: "button", class: "small" }, "保存");
    save.addEventListener("click", function () {
      var scores = {};
      for (var i = 0; i < parts.length; i++) {
        if (absent.indexOf(parts[i]) >= 0) continue;
        var v = inputs[parts[i]].value.trim();
        if (v === "") continue;
        var n = Number(v);
        if (!isFinite(n) || n < 0 || n > 100) { P.flash(r.name + "：得分必须在 0 到 100 之间", "error"); return; }
        scores[parts[i]] = n;
      }
      P.busy(save, "保存中…", function () {
        return P.api("PUT", base + "/assessments/" + r.reporteeID, { scores: scores, veto: veto.value.trim() || null }).then(function () {
          P.flash("已保存 " + r.name + " 的考核录入。");
          delete typed[r.reporteeID];
          return page.refresh();
        });
      });
    });
    var a = r.assessment || {};
    return el("tr", { "data-reportee": r.reporteeID, oninput: function () { typed[r.reporteeID] = true; } },
      el("td", { class: "nowrap" }, r.name), el("td", { class: "num" }, num(r.composite)),
      el("td", null, inputs.daily), el("td", null, inputs.target), el("td", null, inputs.onsite), el("td", null, veto),
      el("td", { class: "num" }, num(a.score)),
      el("td", null, a.gradeLabel || el("span", { class: "muted" }, "待定" + (a.missing && a.missing.length ? "（缺" + a.missing.join("、") + "）" : ""))),
      el("td", null, save));
  }

  function render() {
    document.title = "评议结果 · " + results.campaignTitle;
    $("r-title").textContent = results.campaignTitle + " · 评议结果";
    $("p-title").value = $("p-title").value || results.campaignTitle + "结果公示";
    var rec = results.reconciliation;
    $("r-meta").textContent = "第 " + results.roundNumber + " 轮计票" +
      (rec ? "：发出 " + rec.issued + " 份，收回 " + rec.returned + " 份（有效 " + rec.valid + " 份，废票 " + rec.void + " 份）。" : "。") +
      (rec && rec.forms ? "纸质评议表分表清点：" + rec.forms.map(function (f) {
        return f.formName + "发出 " + f.issued + " 张、收回 " + f.returned + " 张" + (f.void ? "（整张无法辨认 " + f.void + " 张）" : "");
      }).join("；") + "。" : "") +
      (rec && rec.scanSample ? rec.scanSample.summary + "。" : "") +
      "按民主评议得分排名；标色行为“一般+差”超过规定比例。";
    var rid = function (r) { return r.reporteeID; };
    P.redrawList($("summary").querySelector("tbody"), results.reportees, rid, row);
    var entries = $("assessment-table").querySelector("tbody");
    P.redrawList(entries, results.reportees, rid, entryRow, function (r) {
      var shown = entries.querySelector('[data-id="' + r.reporteeID + '"]');
      return typed[r.reporteeID] && shown ? shown.getAttribute("data-drawn") : P.key(r);
    });
    $("r-printed").textContent = "打印时间：" + P.formatTime(new Date().toISOString()).slice(0, 16);
    // The weights as saved, unless the clerk is changing them.
    if (!$("weights-form").contains(document.activeElement) && !weightsTyped) {
      ["evaluation", "daily", "target", "onsite"].forEach(function (key) {
        $("w-" + key).value = results.assessmentWeights[key] !== undefined ? results.assessmentWeights[key] : 0;
      });
    }
    countPicked();
  }

  var weightsTyped = false;
  function picked() {
    var out = {};
    Array.prototype.forEach.call(document.querySelectorAll("input.pick:checked"), function (box) { out[box.value] = true; });
    return out;
  }

  function countPicked() {
    var n = document.querySelectorAll("input.pick:checked").length;
    $("p-count").textContent = n ? "已选 " + n + " 人" : "请在汇总表左侧勾选要公示的人员";
  }

  function drawPublications(list) {
      P.redrawList($("publications").querySelector("tbody"), list, function (p) { return p.id; }, function (p) {
        var withdraw = el("button", { type: "button", class: "small danger" }, "撤回");
        withdraw.hidden = !!p.withdrawnAt;
        withdraw.addEventListener("click", function () {
          P.ask({ title: "撤回公示“" + p.title + "”", lines: ["撤回后公示页面不再显示这份结果。", "已发布的得分、名次和等次不变，可以重新发布。"],
                  confirmLabel: "撤回", danger: true }).then(function (answer) {
            if (!answer) return;
            P.busy(withdraw, "撤回中…", function () {
              return P.api("POST", base + "/publications/" + p.id + "/withdraw").then(function () { P.flash("已撤回。"); return page.refresh(); });
            });
          });
        });
        return el("tr", null,
          el("td", null, p.showing ? el("a", { href: p.url, target: "_blank", rel: "noopener" }, p.title) : p.title),
          el("td", { class: "nowrap" }, P.formatTime(p.startsAt).slice(0, 16) + " 至 " + P.formatTime(p.endsAt).slice(0, 16)),
          el("td", null, String(p.rows.length)),
          el("td", null, p.withdrawnAt ? "已撤回" : p.showing ? "公示中" : "已结束"),
          el("td", null, withdraw));
      });
      $("publications").hidden = list.length === 0;
  }

  function wire() {
  $("summary").addEventListener("change", function (event) { if (event.target.classList.contains("pick")) countPicked(); });
  $("pick-all").addEventListener("change", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input.pick"), function (box) { box.checked = $("pick-all").checked; });
    countPicked();
  });
  $("print").addEventListener("click", function () { window.print(); });
  $("weights-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var weights = {};
    ["evaluation", "daily", "target", "onsite"].forEach(function (key) { weights[key] = Number($("w-" + key).value); });
    P.busy(event.target.querySelector("button"), "保存中…", function () {
      return P.api("PUT", base + "/assessment-weights", { weights: weights }).then(function (r) {
        weightsTyped = false; results = r; render(); P.flash("已保存考核分项权重。");
      });
    });
  });
  $("publish-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var ids = Array.prototype.map.call(document.querySelectorAll("input.pick:checked"), function (box) { return box.value; });
    if (!ids.length) { P.flash("请先在汇总表中勾选要公示的人员。", "error"); return; }
    var button = event.target.querySelector("button");
    var pending = results.reportees.filter(function (r) { return ids.indexOf(r.reporteeID) >= 0 && !(r.assessment && r.assessment.gradeLabel); });
    var lines = ["公示的得分、名次和等次在发布时冻结，之后的修改不会改变这份公示。", "发布后活动进入“已发布”，本人可查看自己的结果表。"];
    if (pending.length) {
      lines.unshift("以下 " + pending.length + " 人的综合评定尚未录入完整，公示中将显示为“待定”：" +
        pending.map(function (r) { return r.name; }).join("、") + "。");
    }
    P.ask({ title: "发布 " + ids.length + " 人的评议结果", lines: lines, danger: pending.length > 0,
            confirmLabel: pending.length ? "仍然发布" : "发布" }).then(function (answer) {
      if (!answer) return;
      P.busy(button, "正在发布…", function () {
        return P.api("POST", base + "/publications", {
          title: $("p-title").value, days: parseInt($("p-days").value, 10), reporteeIDs: ids,
          issuer: $("p-issuer").value.trim() || null, contact: $("p-contact").value.trim() || null,
          objectionText: $("p-objection").value.trim() || null
        }).then(function (p) {
          P.flash("已发布公示，公示地址：" + location.origin + p.url);
          return page.refresh();
        });
      });
    });
  });

  $("weights-form").addEventListener("input", function () { weightsTyped = true; });
  }

  return {
    start: function (ctx) {
      page = ctx;
      wire();
      $("back-link").href = "/campaigns/" + id;
      $("export-xlsx").href = base + "/results.xlsx";
      $("export-csv").href = base + "/results.csv";
      $("doc-notice").href = base + "/documents/results-notice.docx";
      $("doc-feedback").href = base + "/documents/feedback.docx";
      $("doc-rectification").href = base + "/documents/rectification-notices.docx";
      $("doc-ledger").href = base + "/documents/ledger.docx";
      // 整改通知书 and 整改台账 list the campaign's ledger items: without any they would only answer 409.
      P.api("GET", "/api/v1/rectification?campaign=" + id).then(function (items) {
        $("doc-rectification").hidden = $("doc-ledger").hidden = items.length === 0;
      }, function () { $("doc-rectification").hidden = $("doc-ledger").hidden = true; });
    },
    load: function () { return Promise.all([P.api("GET", base + "/results"), P.api("GET", base + "/publications")]); },
    draw: function (r) { results = r[0]; render(); drawPublications(r[1]); },
    // Another clerk's 考核录入 reaches this page: the results are not on the live channel, so they are polled.
    poll: 5000
  };
})());
