// The phone's ballot: one reportee at a time, one choice per column, a review, one submission, a receipt.
// The half-filled ballot is kept on this phone only (localStorage) and never sent before submission.
"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
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
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" }, body: JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) { var e = new Error(data.reason || "请求失败（" + res.status + "）"); e.code = data.code; e.status = res.status; throw e; }
          return data;
        });
      }, function () { throw new Error("网络不稳定，未能送达。请检查网络后再试，重试不会重复投票。"); });
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

  function renderReportee() {
    var r = ballot.reportees[index];
    $("who-index").textContent = (index + 1) + " / " + ballot.reportees.length;
    $("who").textContent = r.name;
    $("who-unit").textContent = r.unitName + (r.title ? " · " + r.title : "") + (r.mode === "written" ? " · 书面述职" : " · 会上述职");
    var box = $("forms");
    box.textContent = "";
    ballot.forms.forEach(function (form) {
      var section = document.createElement("section");
      section.className = "form";
      var h = document.createElement("h2");
      h.textContent = form.name;
      section.appendChild(h);
      form.columns.forEach(function (column) {
        var k = key(r.id, form.id, column.id);
        var set = document.createElement("fieldset");
        var legend = document.createElement("legend");
        legend.textContent = column.name;
        if (column.kind === "overall") legend.className = "overall";
        set.appendChild(legend);
        var choices = document.createElement("div");
        choices.className = "choices";
        grades.forEach(function (g) {
          var id = "c" + Math.random().toString(36).slice(2);
          var input = document.createElement("input");
          input.type = "radio";
          input.name = k;
          input.id = id;
          input.value = g[0];
          input.checked = draft.marks[k] === g[0];
          // Tapping the chosen grade again clears it (弃权).
          input.addEventListener("click", function () {
            if (draft.marks[k] === g[0] && input.dataset.was === "1") { input.checked = false; delete draft.marks[k]; }
            else { draft.marks[k] = g[0]; }
            Array.prototype.forEach.call(choices.querySelectorAll("input"), function (i) { i.dataset.was = i.checked ? "1" : ""; });
            save();
            renderProgress();
          });
          input.dataset.was = input.checked ? "1" : "";
          var label = document.createElement("label");
          label.htmlFor = id;
          label.textContent = g[1];
          choices.appendChild(input);
          choices.appendChild(label);
        });
        set.appendChild(choices);
        section.appendChild(set);
      });
      box.appendChild(section);
    });
    $("prev").disabled = index === 0;
    $("next").textContent = index === ballot.reportees.length - 1 ? "查看汇总" : "下一位";
    renderProgress();
  }

  function renderReview() {
    var list = $("summary");
    list.textContent = "";
    ballot.reportees.forEach(function (r, i) {
      var missing = cellsOf(r).filter(function (k) { return !draft.marks[k]; }).length;
      var overall = ballot.forms.map(function (f) {
        var g = draft.marks[key(r.id, f.id, "overall")];
        var label = grades.filter(function (x) { return x[0] === g; })[0];
        return f.name.slice(0, 4) + "：" + (label ? label[1] : "弃权");
      }).join("；");
      var li = document.createElement("li");
      li.innerHTML = "";
      var name = document.createElement("strong");
      name.textContent = (i + 1) + ". " + r.name + " ";
      li.appendChild(name);
      li.appendChild(document.createTextNode(overall));
      if (missing) {
        var m = document.createElement("div");
        m.className = "missing";
        m.textContent = missing + " 栏未选，将按弃权计";
        li.appendChild(m);
      }
      li.addEventListener("click", function () { index = i; show("vote"); renderReportee(); });
      list.appendChild(li);
    });
    show("review");
  }

  function start(raw) {
    code = normalize(raw);
    $("code-error").hidden = true;
    var stored = load();
    return post("/api/v1/vote/check", { code: code }).then(function (data) {
      ballot = data;
      $("round").textContent = "第 " + data.roundNumber + " 轮 · " + data.raterGroup;
      if (data.used) {
        // This phone's own submission whose answer was lost: the same submission id brings its receipt back.
        if (stored && stored.submissionID) {
          return post("/api/v1/vote", { code: code, submissionID: stored.submissionID, marks: [] }).then(function (r) {
            forget();
            keepReceipt(r.receipt, data);
            finish(r.receipt);
          });
        }
        throw new Error("此投票码已经投过票，每个投票码只能使用一次");
      }
      draft = stored || { submissionID: newID(), marks: {} };
      save();
      index = 0;
      show("vote");
      renderReportee();
    }).catch(function (err) {
      $("code-error").textContent = err.message;
      $("code-error").hidden = false;
    });
  }

  function finish(receipt) {
    $("receipt").textContent = receipt;
    show("done");
  }

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
      finish(r.receipt);
    }).catch(function (err) {
      $("submit-error").textContent = err.message;
      $("submit-error").hidden = false;
    }).then(function () { button.disabled = false; button.textContent = "确认提交"; });
  });

  // A code in the link's fragment (from the QR) never reaches the server's logs; take it and clear the address bar.
  function fromLink() {
    var text = decodeURIComponent(location.hash.slice(1));
    if (!text) return;
    history.replaceState(null, "", location.pathname);
    $("code").value = text;
    show("code");
    start(text);
  }
  // A second code scanned on the same phone (a shared phone at the door) starts a new ballot.
  window.addEventListener("hashchange", fromLink);
  fromLink();
})();
