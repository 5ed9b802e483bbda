// 纸质票录入: tellers key each returned sheet by serial; a scrutineer decides where two keyings differ.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = P.campaignID();
  var base = "/api/v1/campaigns/" + id;
  var detail = null, round = null, deciding = null, page = null, shownGrid = null;

  var sheetsBySerial = {};
  var rowsPerPage = 12;
  /// The key of the next 取出一张并编号: a double click or a retry sends the same key and gets the same number; a new
  /// key only after a number was given.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  var numberKey = newKey();
  // What this user may do in the count comes from the server (`may` of the campaign detail).
  function canNumber() { return !!detail && detail.may.number; }

  /// The grid of one sheet: one form's page (one row per secretary on it), or a whole set (legacy rounds).
  function buildGrid(formIndex, page) {
    var which = JSON.stringify([formIndex, page]);
    if (which === shownGrid) return;
    shownGrid = which;
    var forms = formIndex === null || formIndex === undefined ? detail.forms : [detail.forms[formIndex]];
    var reportees = formIndex === null || formIndex === undefined ? detail.reportees
      : detail.reportees.slice(page * rowsPerPage, (page + 1) * rowsPerPage);
    var head = $("entry-grid").querySelector("thead");
    head.textContent = "";
    var row = el("tr", null, el("th", null, "述职对象"));
    forms.forEach(function (f) { row.appendChild(el("th", null, f.name + "（" + f.columns.length + " 栏）")); });
    head.appendChild(row);
    var body = $("entry-grid").querySelector("tbody");
    body.textContent = "";
    reportees.forEach(function (r) {
      var tr = el("tr", null, el("td", null, r.position + ". " + r.name));
      forms.forEach(function (f) {
        tr.appendChild(el("td", null, el("input", { class: "marks", maxlength: String(f.columns.length), size: String(f.columns.length + 2),
          pattern: "[0-4Xx]{" + f.columns.length + "}", "data-length": String(f.columns.length), autocomplete: "off",
          "aria-label": r.name + " " + f.name, placeholder: "0".repeat(f.columns.length) })));
      });
      body.appendChild(tr);
    });
  }
  function gridForSerial() {
    var s = sheetsBySerial[$("serial").value];
    if (s && s.formIndex !== undefined) buildGrid(s.formIndex, s.page || 0); else if (s) buildGrid(null);
  }

  /// The marks string in the round's layout order: reportees, then forms, then columns.
  function readMarks() {
    var inputs = document.querySelectorAll("#entry-grid input.marks");
    var text = "";
    for (var i = 0; i < inputs.length; i++) {
      var value = inputs[i].value.toUpperCase();
      var length = parseInt(inputs[i].getAttribute("data-length"), 10);
      if (value.length === 0) value = "0".repeat(length);
      if (value.length !== length || /[^0-4X]/.test(value)) { inputs[i].focus(); throw new Error("第 " + (i + 1) + " 格应为 " + length + " 位，只能是 0–4 或 X"); }
      text += value;
    }
    return text;
  }
  function fillMarks(text) {
    var inputs = document.querySelectorAll("#entry-grid input.marks");
    var at = 0;
    Array.prototype.forEach.call(inputs, function (input) {
      var length = parseInt(input.getAttribute("data-length"), 10);
      input.value = text ? text.substr(at, length) : "";
      at += length;
    });
  }

  function load() { return page.refresh(); }

  function loadSheets() {
    return P.api("GET", base + "/rounds").then(function (rounds) {
      var latest = rounds.filter(function (r) { return r.state === "sealed"; }).pop() || rounds[rounds.length - 1];
      if (!latest) return { round: null };
      return P.api("GET", base + "/rounds/" + latest.id + "/sheets").then(function (overview) { return { round: latest, overview: overview }; });
    });
  }

  function drawSheets(data) {
    round = data.round;
    if (!round) { $("t-round").textContent = "尚无投票轮次"; return; }
    $("t-round").textContent = "第 " + round.number + " 轮 · " + round.stateLabel + (round.state === "sealed" ? "" : "（封箱后、计票前才能录入）");
    renderSheets(data.overview);
  }

  function renderSheets(overview) {
    var counts = {};
    sheetsBySerial = {};
    overview.sheets.forEach(function (s) {
      sheetsBySerial[String(s.serial)] = s;
      counts[s.state] = (counts[s.state] || 0) + 1;
    });
    // One row per sheet, rebuilt only when that sheet changes: another teller's keying leaves this one's button alone.
    P.redrawList($("sheet-table").querySelector("tbody"), overview.sheets, function (s) { return s.serial; }, function (s) {
      return el("tr", { class: s.state === "mismatch" ? "current" : "" }, el("td", null, String(s.serial)),
        el("td", null, s.raterGroup + (s.formIndex !== undefined ? " · " + detail.forms[s.formIndex].name : " · 整套")),
        el("td", null, s.stateLabel), el("td", null, String(s.entries) + (s.keyedByMe ? "（含我）" : "")),
        el("td", null, s.state === "mismatch" && detail.may.decide
          ? el("button", { type: "button", class: "small primary", onclick: function () { decide(s.serial); } }, "裁定")
          : s.state === "issued" && overview.round.state === "sealed" && canNumber()
            ? el("button", { type: "button", class: "small", onclick: function (event) { withdraw(s.serial, event.target); } }, "撤销编号") : null));
    }, function (s) { return P.key([s, overview.round.state]); });
    $("sheet-summary").textContent = "（共 " + overview.sheets.length + " 份：已确认 " + (counts.confirmed || 0) + "，待第二次录入 " +
      (counts.keyed_once || 0) + "，不一致 " + (counts.mismatch || 0) + "，未录入 " + (counts.issued || 0) +
      (counts.withdrawn ? "，已撤销编号 " + counts.withdrawn : "") + "；多出的选票 " + overview.round.extraSheets + "）";
    if (document.activeElement !== $("extra")) $("extra").value = overview.round.extraSheets;
  }

  /// 撤销编号: a number given by mistake (a second click, a sheet put back), before it is keyed.
  function withdraw(serial, button) {
    P.ask({ title: "撤销第 " + serial + " 号的编号", lines: ["只用于误点多编的号，或取出后放回票箱的票。", "撤销后这个号不再使用，也不计入清点数。"],
      confirmLabel: "撤销编号", danger: true }).then(function (values) {
      if (!values) return;
      P.busy(button, "正在撤销…", function () {
        return P.api("POST", base + "/rounds/" + round.id + "/sheets/" + serial + "/withdraw").then(function () {
          P.flash("已撤销第 " + serial + " 号"); return load();
        });
      });
    });
  }

  function decide(serial) {
    P.api("GET", base + "/rounds/" + round.id + "/sheets/" + serial).then(function (d) {
      deciding = serial;
      $("serial").value = serial;
      gridForSerial();
      $("entry-title").textContent = "裁定第 " + serial + " 号选票（请对照原票）";
      $("entry-submit").textContent = "提交裁定";
      fillMarks(d.readings[0] || "");
      var list = $("differences");
      list.textContent = "";
      d.differences.forEach(function (x) { list.appendChild(el("li", null, x.label + "：一次录为“" + x.first + "”，另一次录为“" + x.second + "”")); });
      list.hidden = false;
    }).catch(P.fail);
  }

  function wire() {
  $("entry-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body;
    try { body = { marks: $("unreadable").checked ? "" : readMarks(), unreadable: $("unreadable").checked }; } catch (e) { P.flash(e.message, "error"); return; }
    var serial = parseInt($("serial").value, 10);
    var path = base + "/rounds/" + round.id + "/sheets/" + serial + (deciding === serial ? "/decision" : "/entry");
    P.busy($("entry-submit"), "正在提交…", function () {
      return P.api("POST", path, body).then(function (s) {
        P.flash("第 " + serial + " 号：" + s.stateLabel + (s.state === "mismatch" ? "，请监票人裁定" : ""));
        deciding = null;
        $("entry-title").textContent = "录入";
        $("entry-submit").textContent = "提交录入";
        $("differences").hidden = true;
        fillMarks("");
        $("unreadable").checked = false;
        $("serial").value = "";
        $("serial").focus();
        return load();
      });
    });
  });
  $("entry-clear").addEventListener("click", function () { fillMarks(""); });
  $("serial").addEventListener("input", gridForSerial);
  $("serial").addEventListener("change", gridForSerial);
  // 取票编号: the next sheet out of the box gets a number, written on its back, and is keyed by it.
  $("number-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy($("number-submit"), "正在编号…", function () {
      var fp = $("number-form-page").value.split(":");
      return P.api("POST", base + "/rounds/" + round.id + "/sheets", { raterGroupID: $("number-group").value,
        formIndex: parseInt(fp[0], 10), page: parseInt(fp[1], 10), requestKey: numberKey }).then(function (s) {
        numberKey = newKey();
        P.flash("已编为第 " + s.serial + " 号（" + s.raterGroup + "）：请把编号写在这张票的背面，再录入");
        $("serial").value = s.serial;
        return load().then(gridForSerial);
      });
    });
  });
  $("extra-save").addEventListener("click", function () {
    P.api("POST", base + "/rounds/" + round.id + "/extra-sheets", { count: parseInt($("extra").value || "0", 10) })
      .then(function () { P.flash("已登记"); return load(); }).catch(P.fail);
  });

  }

  return {
    start: function (ctx, me) {
    page = ctx;
    wire();
    $("back-link").href = "/campaigns/" + id;
    return P.api("GET", base).then(function (d) {
      detail = d;
      $("extra-box").hidden = !d.may.extraSheets;
      // The scrutineer looks sheets up here to decide them; the tellers key them.
      $("entry-panel").hidden = !(d.may.enter || d.may.decide);
      $("number-panel").hidden = !d.may.number;
      $("t-title").textContent = "纸质票录入 · " + d.campaign.title;
      buildGrid(0, 0);
      var pages = Math.max(1, Math.ceil(d.reportees.length / rowsPerPage));
      var formPage = $("number-form-page");
      formPage.textContent = "";
      d.forms.forEach(function (f, i) {
        for (var p = 0; p < pages; p++) {
          formPage.appendChild(el("option", { value: i + ":" + p }, f.name + (pages > 1 ? "（第 " + (p + 1) + " 页）" : "")));
        }
      });
      var select = $("number-group");
      select.textContent = "";
      d.raterGroups.forEach(function (g) { select.appendChild(el("option", { value: g.id }, g.name)); });
    });
    },
    load: function () { return loadSheets(); },
    draw: function (data) { drawSheets(data); },
    // Other tellers' keyings are not on the live channel: the list is polled.
    poll: 5000
  };
})());
