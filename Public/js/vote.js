// The phone's ballot: one reportee at a time, one choice per column, a review, one submission, a receipt.
// The half-filled ballot is kept on this phone only (localStorage) and never sent before submission.
"use strict";
// The one page shape (pingyi.js): a public page (no sign-in); start wires the controls, load reads what this phone
// holds (a code in the link, a ballot begun before a reload), draw offers it; errors go to the control's own line.
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var grades = [["good", "好"], ["fairly_good", "较好"], ["average", "一般"], ["poor", "差"]];
  var code = "", ballot = null, index = 0, draft = null;

  function show(step) {
    ["code", "vote", "review", "done"].forEach(function (s) { $("step-" + s).hidden = s !== step; });
    window.scrollTo(0, 0);
  }
  function normalize(text) { return text.toUpperCase().replace(/[\s\-\u3000]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1"); }
  function storageKey() { return "pingyi.vote." + code; }
  function save() { try { localStorage.setItem(storageKey(), JSON.stringify(draft)); } catch (e) { /* private mode: keep in memory */ } }
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey()) || "null"); } catch (e) { return null; }
  }
  // After the submission the phone keeps the receipt alone: the draft (code in its key, marks in its value), the
  // code typed or scanned, and the ballot in memory are gone.
  function forget() {
    try { localStorage.removeItem(storageKey()); } catch (e) { /* nothing stored */ }
    code = "";
    draft = null;
    $("code").value = "";
  }
  function keepReceipt(receipt, data) {
    try {
      var list = JSON.parse(localStorage.getItem("pingyi.receipts") || "[]");
      list.push({ receipt: receipt, round: data.roundNumber, title: data.campaignTitle || "" });
      localStorage.setItem("pingyi.receipts", JSON.stringify(list.slice(-10)));
    } catch (e) { /* private mode: the receipt is on the screen */ }
  }
  function newID() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function post(path, body) {
    return P.api("POST", path, body, { offline: "网络不稳定，未能送达。请检查网络后再试，重试不会重复投票。" });
  }
  function key(r, f, c) { return r + "|" + f + "|" + c; }
  function cellsOf(reportee) {
    var list = [];
    ballot.forms.forEach(function (f) { f.columns.forEach(function (c) { list.push(key(reportee.id, f.id, c.id)); }); });
    return list;
  }
  function complete(reportee) { return cellsOf(reportee).every(function (k) { return draft.marks[k]; }); }

  function renderProgress() {
    var done = ballot.reportees.filter(complete).length;
    $("progress-text").textContent = "已完成 " + done + " / " + ballot.reportees.length + " 位述职对象";
    $("meter").style.width = (100 * done / ballot.reportees.length) + "%";
  }

  function label(g) { var x = grades.filter(function (y) { return y[0] === g; })[0]; return x ? x[1] : "弃权"; }

  /// One row of four grade buttons for one column. A chosen grade stays chosen when tapped again; 清除 makes the
  /// column an abstention. `onPick` runs after a change.
  function choiceRow(k, name, overall, onPick) {
    var choices = el("div", { class: "choices" });
    var clear = el("button", { type: "button", class: "clear", hidden: !draft.marks[k], "aria-label": "清除" + name + "的选择（按弃权计）",
      onclick: function () {
        delete draft.marks[k];
        delete draft.auto[k];
        Array.prototype.forEach.call(choices.querySelectorAll("input"), function (i) { i.checked = false; });
        clear.hidden = true;
        onPick(null);
      } }, "清除");
    grades.forEach(function (g) {
      var id = "c" + Math.random().toString(36).slice(2);
      choices.appendChild(el("input", { type: "radio", name: k, id: id, value: g[0], checked: draft.marks[k] === g[0], onchange: function () {
        draft.marks[k] = g[0];
        delete draft.auto[k];
        clear.hidden = false;
        onPick(g[0]);
      } }));
      choices.appendChild(el("label", { for: id }, g[1]));
    });
    return el("fieldset", { class: "row" + (overall ? " overall" : "") }, el("legend", null, el("span", null, name), clear), choices);
  }

  /// A form: its 总体评价 in full; its 单项评价 folded, following the 总体评价 until the voter changes one of them.
  function renderForm(r, form) {
    var section = el("section", { class: "form" }, el("h2", null, form.name));
    var overall = form.columns.filter(function (c) { return c.kind === "overall"; })[0];
    var items = form.columns.filter(function (c) { return c.kind !== "overall"; });
    var summary = el("summary"), list = el("div");
    function describe() {
      var keys = items.map(function (c) { return key(r.id, form.id, c.id); });
      var chosen = keys.filter(function (k) { return draft.marks[k]; }).length;
      var allAuto = chosen === keys.length && keys.every(function (k) { return draft.auto[k]; });
      summary.textContent = "单项评价 " + items.length + " 项：" + (allAuto ? "与总体评价相同（" + label(draft.marks[keys[0]]) + "），点此逐项修改"
        : chosen === keys.length ? "已逐项选择" : "已选 " + chosen + " 项，点此逐项选择");
    }
    function renderItems() {
      list.textContent = "";
      items.forEach(function (c) {
        list.appendChild(choiceRow(key(r.id, form.id, c.id), c.name, false, function () { describe(); save(); renderProgress(); }));
      });
    }
    if (overall) {
      section.appendChild(choiceRow(key(r.id, form.id, overall.id), overall.name, true, function (g) {
        // Items not chosen by hand follow the 总体评价.
        items.forEach(function (c) {
          var k = key(r.id, form.id, c.id);
          if (!draft.marks[k] || draft.auto[k]) {
            if (g) { draft.marks[k] = g; draft.auto[k] = true; } else { delete draft.marks[k]; delete draft.auto[k]; }
          }
        });
        renderItems();
        describe();
        save();
        renderProgress();
      }));
    }
    if (items.length) {
      renderItems();
      describe();
      section.appendChild(el("details", { class: "items" }, summary, list));
    }
    return section;
  }

  function renderReportee() {
    var r = ballot.reportees[index];
    $("who-index").textContent = (index + 1) + " / " + ballot.reportees.length;
    $("who").textContent = r.name;
    $("who-unit").textContent = r.unitName + (r.title ? " · " + r.title : "") + (r.mode === "written" ? " · 书面述职" : " · 会上述职");
    var box = $("forms");
    box.textContent = "";
    ballot.forms.forEach(function (form) { box.appendChild(renderForm(r, form)); });
    $("prev").disabled = index === 0;
    $("next").textContent = index === ballot.reportees.length - 1 ? "查看汇总" : "下一位";
    renderProgress();
    window.scrollTo(0, 0);
  }

  function renderReview() {
    var list = $("summary");
    list.textContent = "";
    ballot.reportees.forEach(function (r, i) {
      var missing = cellsOf(r).filter(function (k) { return !draft.marks[k]; }).length;
      var overall = ballot.forms.map(function (f) {
        var column = f.columns.filter(function (c) { return c.kind === "overall"; })[0] || f.columns[0];
        return f.name + "：" + label(draft.marks[key(r.id, f.id, column.id)]);
      }).join("；");
      list.appendChild(el("li", { onclick: function () { index = i; show("vote"); renderReportee(); } },
        el("strong", null, (i + 1) + ". " + r.name + " "), overall,
        missing ? el("div", { class: "missing" }, missing + " 栏未选，将按弃权计") : null));
    });
    show("review");
  }

  function start(raw) {
    code = normalize(raw);
    $("code-error").hidden = true;
    var button = $("code-form").querySelector("button");
    var stored = load();
    return post("/api/v1/vote/check", { code: code }).then(function (data) {
      ballot = data;
      $("campaign").textContent = data.campaignTitle;
      $("round").textContent = "第 " + data.roundNumber + " 轮 · " + data.raterGroup;
      if (data.used) {
        // This phone's own submission whose answer was lost: the same submission id brings its receipt back.
        if (stored && stored.submissionID) {
          return post("/api/v1/vote", { code: code, submissionID: stored.submissionID, marks: [] }).then(function (r) {
            forget();
            keepReceipt(r.receipt, data);
            finish(r.receipt, r.receiptsPath);
          });
        }
        throw new Error("此投票码已经投过票，每个投票码只能使用一次");
      }
      draft = stored || { submissionID: newID(), marks: {}, auto: {} };
      draft.auto = draft.auto || {};
      save();
      // 继续投票 goes on at the first secretary not yet rated (the review when every one is).
      var next = ballot.reportees.filter(function (r) { return !complete(r); })[0];
      if (stored && !next) { renderReview(); return; }
      index = next ? ballot.reportees.indexOf(next) : 0;
      show("vote");
      renderReportee();
    }).catch(function (err) { P.fail(err, button); });
  }

  function finish(receipt, receiptsPath) {
    $("receipt").textContent = receipt;
    if (receiptsPath) { $("receipts-link").href = receiptsPath; $("receipts-link").hidden = false; }
    show("done");
  }

  function wire() {
  $("code-form").addEventListener("submit", function (e) { e.preventDefault(); start($("code").value); });
  $("prev").addEventListener("click", function () { if (index > 0) { index--; renderReportee(); } });
  $("next").addEventListener("click", function () {
    if (index < ballot.reportees.length - 1) { index++; renderReportee(); } else { renderReview(); }
  });
  $("to-review").addEventListener("click", renderReview);
  $("back").addEventListener("click", function () { show("vote"); renderReportee(); });
  $("submit").addEventListener("click", function () {
    var button = $("submit");
    button.disabled = true;
    button.textContent = "正在提交…";
    $("submit-error").hidden = true;
    // Compact: per reportee and form, one digit per column in order (1 好 … 4 差, 0 弃权).
    var digit = { good: "1", fairly_good: "2", average: "3", poor: "4" };
    var compact = {};
    ballot.reportees.forEach(function (r) {
      compact[r.id] = {};
      ballot.forms.forEach(function (f) {
        compact[r.id][f.id] = f.columns.map(function (c) { return digit[draft.marks[key(r.id, f.id, c.id)]] || "0"; }).join("");
      });
    });
    post("/api/v1/vote", { code: code, submissionID: draft.submissionID, ballot: compact }).then(function (r) {
      forget();
      keepReceipt(r.receipt, ballot);
      finish(r.receipt, r.receiptsPath);
    }).catch(function (err) { P.fail(err, button); }).then(function () { button.disabled = false; button.textContent = "确认提交"; });
  });
  $("resume").addEventListener("click", function () { var pending = pendingCode(); if (pending) start(pending); });
  // A second code scanned on the same phone (a shared phone at the door) starts a new ballot.
  window.addEventListener("hashchange", fromLink);
  }

  // A code in the link's fragment (from the QR) never reaches the server's logs; take it and clear the address bar.
  function fromLink() {
    var text = decodeURIComponent(location.hash.slice(1));
    if (!text) return;
    history.replaceState(null, "", location.pathname);
    $("code").value = text;
    show("code");
    start(text);
  }
  // After a reload the code is no longer in the address bar; a ballot started on this phone is offered back.
  function pendingCode() {
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var name = localStorage.key(i);
        if (name && name.indexOf("pingyi.vote.") === 0) return name.slice("pingyi.vote.".length);
      }
    } catch (e) { /* no storage */ }
    return "";
  }

  return {
    open: true,
    start: wire,
    draw: function () {
      fromLink();
      if (!code && pendingCode()) $("resume-box").hidden = false;
    }
  };
})());
