// 扫描识别: the tellers' 清点票数, scanned pages decoded and normalized in the browser (grayscale, 1,400 px on the
// long side, raw deflate) and uploaded page by page; unsure columns decided by two tellers; the scrutineer's sample.
// The one page shape (pingyi.js): load the round's scans, draw each table by key (another teller's confirmation
// shows without redrawing the row under this one's finger, a typed box count stays), looked at again every 5 s.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var id = P.campaignID();
  var base = "/api/v1/campaigns/" + id;
  var round = null, overview = null, page = null;
  var MAX_FILE = 30 * 1024 * 1024, LONG_SIDE = 1400;
  var SYMBOLS = [["0", "空白"], ["1", "好"], ["2", "较好"], ["3", "一般"], ["4", "差"], ["X", "多选"]];
  function symbolLabel(s) { for (var i = 0; i < SYMBOLS.length; i++) if (SYMBOLS[i][0] === s) return SYMBOLS[i][1]; return "待定"; }
  function roundPath() { return base + "/rounds/" + round.id; }

  function load() { return page.refresh(); }
  function fetchScans() {
    return P.api("GET", base + "/rounds").then(function (rounds) {
      round = rounds.filter(function (r) { return r.state === "sealed"; }).pop() || rounds[rounds.length - 1];
      if (!round) return null;
      return P.api("GET", roundPath() + "/scans");
    });
  }
  /// Empties a work area (a check, a sample) so the next draw fills it again.
  function closeWork(work) { work.textContent = ""; work.removeAttribute("data-drawn"); }

  function render(o) {
    overview = o;
    var sealed = o.round.state === "sealed";
    P.redraw($("count-inputs"), P.key(o.forms.map(function (f) { return [f.formIndex, f.formName, f.boxCount]; })), function (inputs) {
      o.forms.forEach(function (f) {
        var input = el("input", { type: "number", min: "0", class: "tiny", id: "box-count-" + f.formIndex, required: "required",
          value: f.boxCount === undefined ? "" : String(f.boxCount) });
        inputs.appendChild(el("label", { class: "inline", for: "box-count-" + f.formIndex }, f.formName));
        inputs.appendChild(input);
      });
    });
    $("count-submit").disabled = !sealed;
    P.redrawList($("form-table").querySelector("tbody"), o.forms, function (f) { return f.formIndex; }, function (f) {
      var have = f.recognized + f.keyedByHand;
      var mismatch = f.boxCount !== undefined && have !== f.boxCount;
      return el("tr", { class: mismatch ? "current" : "" }, el("td", { class: "nowrap" }, f.formName), el("td", null, String(f.issued)),
        el("td", { class: "nowrap" }, f.boxCount === undefined ? "未清点" : String(f.boxCount)), el("td", null, String(f.recognized)),
        el("td", null, String(f.pending)), el("td", null, String(f.keyedByHand)));
    });
    $("scan-files").disabled = $("scan-camera").disabled = !sealed;
    var waiting = 0, listed = [];
    var all = $("scan-all").checked;
    // What this user may do with each page now comes from the server (`actions`, `may`).
    function offers(s, action) { return s.actions.indexOf(action) >= 0; }
    o.scans.forEach(function (s) {
      if (!(s.state === "read" || s.state === "confirmed" || s.state === "discarded")) waiting++;
      if (s.state === "read" && !s.sampled && !all) return;
      listed.push(s);
    });
    // One row per page, rebuilt only when that page changes: another teller's confirmation leaves this one's alone.
    P.redrawList($("scan-table").querySelector("tbody"), listed, function (s) { return s.id; }, function (s) {
      var action = null;
      if (offers(s, "decide")) {
        action = el("button", { type: "button", class: "small primary", onclick: function () { openCheck(s.id, "decision"); } }, "确认");
      } else if (offers(s, "rule") && s.state === "mismatch") {
        action = el("button", { type: "button", class: "small primary", onclick: function () { openCheck(s.id, "ruling"); } }, "裁定");
      } else if (offers(s, "rule")) {
        action = el("button", { type: "button", class: "small primary", onclick: function () { openDuplicate(s.id); } }, "核对");
      }
      var drop = offers(s, "discard")
        ? el("button", { type: "button", class: "small", onclick: function (event) { discard(s, event.target); } }, "剔除") : null;
      return el("tr", null, el("td", { class: "nowrap" }, s.ref), el("td", null, s.formName + (s.page ? "（第 " + (s.page + 1) + " 页）" : "")), el("td", { class: "nowrap" }, s.raterGroup),
        el("td", null, s.stateLabel + (s.decidedByMe ? "（我已确认）" : "")), el("td", null, String(s.unsure)), el("td", { class: "nowrap" }, action, drop ? " " : null, drop));
    }, function (s) { return P.key([s, sealed]); });
    var read = o.scans.filter(function (s) { return s.state === "read" || s.state === "confirmed"; }).length;
    var dropped = o.scans.filter(function (s) { return s.state === "discarded"; }).length;
    $("check-summary").textContent = "（已识别 " + read + " 页，待处理 " + waiting + " 页" + (dropped ? "，已剔除 " + dropped + " 页" : "") +
      (all ? "）" : "；机器全部有把握的页不在表中列出）");
    renderSample(o, sealed, waiting);
  }

  /// 剔除: a page scanned twice or not of this box, dropped before the count (kept as dropped, in the audit log).
  function discard(s, button) {
    P.ask({ title: "剔除页 " + s.ref, lines: [s.formName + "评议表（" + s.raterGroup + "），" + s.stateLabel + "。",
      "剔除后这一页不计票；只用于同一张表扫了两次或混入的不属于本箱的页。"], confirmLabel: "剔除", danger: true }).then(function (values) {
      if (!values) return;
      P.busy(button, "正在剔除…", function () {
        return P.api("POST", roundPath() + "/scans/" + s.id + "/discard").then(function () { P.flash("已剔除页 " + s.ref); return load(); });
      });
    });
  }

  // ---- 清点票数
  function wire() {
  $("scan-all").addEventListener("change", function () { if (overview) render(overview); });
  $("count-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var counts = overview.forms.map(function (f) { return parseInt($("box-count-" + f.formIndex).value, 10); });
    if (counts.some(function (n) { return isNaN(n) || n < 0; })) { P.flash("请为每种评议表填写张数", "error"); return; }
    P.busy($("count-submit"), "正在登记…", function () {
      return P.api("PUT", roundPath() + "/box-counts", { counts: counts }).then(function (o) { P.flash("已登记清点数"); render(o); });
    });
  });
  $("scan-files").addEventListener("change", function (event) { var f = event.target.files; handleFiles(f).then(function () { event.target.value = ""; }); });
  $("scan-camera").addEventListener("change", function (event) { var f = event.target.files; handleFiles(f).then(function () { event.target.value = ""; }); });
  $("sample-draw").addEventListener("click", function () {
    P.busy($("sample-draw"), "正在抽取…", function () {
      return P.api("POST", roundPath() + "/scans/sample").then(function (o) { P.flash("已随机抽取样本"); render(o); });
    });
  });
  }

  // ---- scanning
  function log(text, bad) { $("scan-log").insertBefore(el("li", { class: bad ? "error-text" : "" }, text), $("scan-log").firstChild); }

  /// The JPEG images of a scanner's PDF (one per page), in file order; none in a PDF that is not a scan.
  function pdfImages(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i += 65536) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 65536));
    var images = [], at = 0;
    while ((at = text.indexOf("/DCTDecode", at)) !== -1) {
      var start = text.indexOf("stream", at);
      if (start === -1) break;
      start += 6;
      if (text.charCodeAt(start) === 13) start++;
      if (text.charCodeAt(start) === 10) start++;
      var end = text.indexOf("endstream", start);
      if (end === -1) break;
      if (bytes[start] === 0xFF && bytes[start + 1] === 0xD8) images.push(new Blob([bytes.subarray(start, end)], { type: "image/jpeg" }));
      at = end;
    }
    return images;
  }

  function normalize(blob) {
    return createImageBitmap(blob).then(function (bitmap) {
      var scale = LONG_SIDE / Math.max(bitmap.width, bitmap.height);
      var w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
      var canvas = document.createElement("canvas");
      canvas.width = w; canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
      ctx.drawImage(bitmap, 0, 0, w, h);
      if (bitmap.close) bitmap.close();
      var rgba = ctx.getImageData(0, 0, w, h).data, gray = new Uint8Array(w * h);
      for (var i = 0, j = 0; i < gray.length; i++, j += 4) gray[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
      var stream = new Blob([gray]).stream().pipeThrough(new CompressionStream("deflate-raw"));
      return new Response(stream).arrayBuffer().then(function (deflated) { return { width: w, height: h, data: deflated }; });
    }, function () { throw new Error("无法读取这张图像（文件损坏或不是图片）"); });
  }

  function sendPage(page, named) {
    return P.api("POST", roundPath() + "/scans?width=" + page.width + "&height=" + page.height + (named || ""), undefined,
      { file: new Blob([page.data], { type: "application/octet-stream" }) });
  }

  /// Corner marks found, page code not: the teller reads the rater group and form printed on the sheet and names them;
  /// the server checks the code squares it can still read against the name.
  function namePage(page, name) {
    var pages = [];
    overview.forms.forEach(function (f) {
      for (var p = 0; p < f.pages; p++) pages.push({ value: f.formIndex + ":" + p, label: f.formName + (f.pages > 1 ? "（第 " + (p + 1) + " 页）" : "") });
    });
    return P.ask({ title: name + "：页码无法识别", lines: ["找到了定位方块，但页码方块无法识别（污损或涂画）。", "请看纸面上印的文字，选择这张表的评议人类别和评议表；不确定时请取消，交人工录入。"],
      fields: [{ name: "group", label: "评议人类别", type: "select", options: overview.paperForms.map(function (g, i) { return { value: String(i), label: g.raterGroup }; }) },
               { name: "form", label: "评议表", type: "select", options: pages }], confirmLabel: "按指定识别" }).then(function (values) {
      if (!values) throw new Error("页码无法识别，未保存：请交人工录入（取出一张并编号）");
      var fp = values.form.split(":");
      return sendPage(page, "&group=" + values.group + "&form=" + fp[0] + "&page=" + fp[1]);
    });
  }

  function uploadPage(blob, name) {
    return normalize(blob).then(function (page) {
      return sendPage(page).catch(function (err) {
        if (err.code === "unreadable_code") return namePage(page, name);
        throw err;
      });
    }).then(function (s) {
      log(name + "：" + (s.repeated ? "这一页已上传过，未重复保存" : s.formName + "评议表（" + s.raterGroup + "）" + s.stateLabel));
    }, function (err) { log(name + "：" + err.message, true); });
  }

  function handleFiles(files) {
    if (!files.length || !round) return;
    var pages = [];
    var progress = $("scan-progress");
    progress.hidden = false;
    $("scan-status").textContent = "正在读取文件…";
    var reading = Array.prototype.reduce.call(files, function (chain, file) {
      return chain.then(function () {
        if (file.size > MAX_FILE) { log(file.name + "：文件太大（" + P.formatBytes(file.size) + "），单个文件不能超过 30 MB，请分开扫描", true); return; }
        if (file.type === "application/pdf" || /\.pdf$/i.test(file.name)) {
          return file.arrayBuffer().then(function (buffer) {
            var images = pdfImages(buffer);
            if (!images.length) { log(file.name + "：这个 PDF 里没有扫描图像（不是扫描件），请上传扫描仪生成的 PDF 或图片", true); return; }
            images.forEach(function (image, i) { pages.push({ blob: image, name: file.name + " 第 " + (i + 1) + " 页" }); });
          });
        }
        if (!/^image\/(jpeg|png)$/.test(file.type) && !/\.(jpe?g|png)$/i.test(file.name)) {
          log(file.name + "：只能上传 JPEG、PNG 图片或扫描 PDF", true); return;
        }
        pages.push({ blob: file, name: file.name });
      });
    }, Promise.resolve());
    return reading.then(function () {
      progress.max = Math.max(pages.length, 1);
      progress.value = 0;
      return pages.reduce(function (chain, page, i) {
        return chain.then(function () {
          $("scan-status").textContent = "正在识别第 " + (i + 1) + " / " + pages.length + " 页…";
          return uploadPage(page.blob, page.name).then(function () { progress.value = i + 1; });
        });
      }, Promise.resolve());
    }).then(function () {
      $("scan-status").textContent = "已处理 " + pages.length + " 页。";
      progress.hidden = true;
      return load();
    });
  }

  // ---- people check
  function rowImage(scan, row, column) {
    var wrap = el("div", { class: "scan-row" }, el("img", { src: roundPath() + "/scans/" + scan.id + "/image?row=" + row, alt: scan.rows[row] + " 一行的图像" }));
    if (column !== null) {
      var span = scan.columnSpans[column];
      wrap.appendChild(el("div", { class: "scan-focus", style: "left:" + (span[0] * 100) + "%;width:" + (span[1] * 100) + "%" }));
      // The four boxes of the column, left to right, as printed: 好 较好 一般 差.
      var grades = el("div", { class: "scan-grades", style: "margin-left:" + (span[0] * 100) + "%;width:" + (span[1] * 100) + "%" });
      ["好", "较好", "一般", "差"].forEach(function (g) { grades.appendChild(el("span", null, g)); });
      wrap.appendChild(grades);
    }
    return wrap;
  }

  function openCheck(scanID, kind) {
    P.api("GET", roundPath() + "/scans/" + scanID).then(function (scan) {
      var work = $("check-work");
      closeWork(work);
      var reading = scan.reading.split("");
      var columns = scan.columns.length;
      var form = el("form", { class: "scan-check", id: "scan-check" });
      form.appendChild(el("h3", null, scan.formName + "评议表（" + scan.raterGroup + "）" + (kind === "ruling" ? "：监票人裁定" : "：确认存疑栏目")));
      reading.forEach(function (symbol, k) {
        if (symbol !== "?") return;
        var row = Math.floor(k / columns), column = k % columns;
        var choices = el("div", { class: "choices", role: "radiogroup", "aria-label": scan.rows[row] + " · " + scan.columns[column] });
        SYMBOLS.forEach(function (pair) {
          choices.appendChild(el("label", { class: "choice" }, el("input", { type: "radio", name: "c" + k, value: pair[0], required: "required" }), " " + pair[1]));
        });
        var note = kind === "ruling" ? el("p", { class: "muted" }, "两位计票人：" + scan.decisions.map(function (d) { return symbolLabel(d.charAt(k)); }).join(" / ")) : null;
        form.appendChild(el("fieldset", { class: "scan-question", "data-cell": String(k) },
          el("legend", null, scan.rows[row] + " · " + scan.columns[column]), rowImage(scan, row, column), note, choices));
      });
      var submit = el("button", { type: "submit", class: "primary" }, kind === "ruling" ? "提交裁定" : "提交确认");
      form.appendChild(el("div", { class: "actions" }, submit, el("button", { type: "button", onclick: function () { closeWork(work); } }, "取消")));
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var marks = reading.map(function (symbol, k) {
          if (symbol !== "?") return symbol;
          var chosen = form.querySelector("input[name=c" + k + "]:checked");
          return chosen ? chosen.value : "?";
        }).join("");
        P.busy(submit, "正在提交…", function () {
          return P.api("POST", roundPath() + "/scans/" + scanID + "/" + kind, { marks: marks }).then(function (s) {
            P.flash("这一页：" + s.stateLabel);
            closeWork(work);
            return load();
          });
        });
      });
      work.appendChild(form);
      form.scrollIntoView();
    }).catch(P.fail);
  }

  function openDuplicate(scanID) {
    P.api("GET", roundPath() + "/scans/" + scanID).then(function (scan) {
      var work = $("check-work");
      closeWork(work);
      function rule(keep) {
        return P.api("POST", roundPath() + "/scans/" + scanID + "/ruling", { keep: keep }).then(function (s) {
          P.flash("这一页：" + s.stateLabel); closeWork(work); return load();
        }).catch(P.fail);
      }
      work.appendChild(el("div", { class: "scan-check" },
        el("h3", null, "疑似重复扫描：" + scan.formName + "评议表（" + scan.raterGroup + "）"),
        el("p", null, "页 " + scan.ref + "：" + (scan.duplicateNote || "与另一页的识别结果相同，可能是同一张表扫描了两次。")),
        el("p", { class: "muted" }, "标记很少（或空白）的表，机器无法从墨迹分辨是否同一张。请在票堆中核对：是同一张则剔除，是另一位评议人的表则保留。"),
        el("div", { class: "scan-pages" },
          el("img", { src: roundPath() + "/scans/" + scanID + "/image", alt: "这一页" }),
          scan.duplicateOf ? el("img", { src: roundPath() + "/scans/" + scan.duplicateOf + "/image", alt: "先上传的一页" }) : null),
        el("div", { class: "actions" }, el("button", { type: "button", class: "primary", onclick: function () { rule(false); } }, "是重复扫描，剔除"),
          el("button", { type: "button", onclick: function () { rule(true); } }, "是另一张表，保留"))));
    }).catch(P.fail);
  }

  // ---- the scrutineer's sample
  function renderSample(o, sealed, waiting) {
    $("sample-summary").textContent = o.sample ? o.sample.summary : "尚无扫描页。";
    var drawn = o.scans.some(function (s) { return s.sampled; });
    $("sample-draw").hidden = !(sealed && o.may.drawSample && !drawn && waiting === 0 && o.scans.length > 0);
    var work = $("sample-work");
    // A sample being checked stays open through a refresh; the list of pages to check is redrawn when it changes.
    if ($("sample-check")) return;
    var toCheck = !o.may.drawSample || !sealed ? [] : o.scans.filter(function (s) { return s.sampled && !s.sampleChecked; });
    P.redraw(work, P.key(toCheck.map(function (s) { return s.id; })), function () {
      toCheck.forEach(function (s) {
        work.appendChild(el("button", { type: "button", class: "small", onclick: function () { openSample(s.id); } },
          "核对：" + s.formName + "（" + s.raterGroup + "）"));
      });
    });
  }

  function openSample(scanID) {
    P.api("GET", roundPath() + "/scans/" + scanID).then(function (scan) {
      var work = $("sample-work");
      closeWork(work);
      var columns = scan.columns.length;
      var table = el("table", { class: "grid" });
      var head = el("tr", null, el("th", null, "述职对象"));
      scan.columns.forEach(function (c) { head.appendChild(el("th", null, c)); });
      table.appendChild(el("thead", null, head));
      var body = el("tbody");
      scan.rows.forEach(function (name, r) {
        var tr = el("tr", null, el("td", null, name));
        for (var c = 0; c < columns; c++) {
          var select = el("select", { "data-cell": String(r * columns + c), "aria-label": name + " " + scan.columns[c] });
          SYMBOLS.forEach(function (pair) { select.appendChild(el("option", { value: pair[0] }, pair[1])); });
          select.value = scan.reading.charAt(r * columns + c);
          tr.appendChild(el("td", null, select));
        }
        body.appendChild(tr);
      });
      table.appendChild(body);
      // What is printed on the sheet in words: the rater group and the form. Nothing is preselected: the
      // scrutineer reads them off the paper (the code squares can be redrawn, the words cannot).
      var group = el("select", { id: "sample-group", required: "required" }, el("option", { value: "" }, "请按纸面选择"));
      overview.paperForms.forEach(function (g) { group.appendChild(el("option", { value: g.raterGroupID }, g.raterGroup)); });
      var formSelect = el("select", { id: "sample-form", required: "required" }, el("option", { value: "" }, "请按纸面选择"));
      overview.forms.forEach(function (f) { formSelect.appendChild(el("option", { value: String(f.formIndex) }, f.formName)); });
      var printed = el("p", null, el("label", { class: "inline", for: "sample-group" }, "纸面印的评议人类别"), group, " ",
        el("label", { class: "inline", for: "sample-form" }, "评议表"), formSelect,
        el("span", { class: "muted" }, "（识别为：" + scan.raterGroup + " · " + scan.formName + "）"));
      var submit = el("button", { type: "button", class: "primary" }, "核对完毕（已按纸质票逐栏核对）");
      submit.addEventListener("click", function () {
        if (!group.value || !formSelect.value) { P.flash("请按纸面选择评议人类别和评议表", "error"); return; }
        var marks = Array.prototype.map.call(table.querySelectorAll("select"), function (s) { return s.value; }).join("");
        P.busy(submit, "正在提交…", function () {
          return P.api("POST", roundPath() + "/scans/" + scanID + "/sample-check",
            { marks: marks, raterGroupID: group.value, formIndex: parseInt(formSelect.value, 10) }).then(function () {
            P.flash(marks === scan.reading && group.value === scan.raterGroupID ? "与纸质票一致" : "已按纸质票更正"); closeWork(work); return load();
          });
        });
      });
      work.appendChild(el("div", { class: "scan-check", id: "sample-check" },
        el("h3", null, "抽查：" + scan.formName + "评议表（" + scan.raterGroup + "）"),
        el("p", { class: "muted" }, "上为扫描图像（已校正），下表为识别结果；与纸质原票不符的栏目请改为原票上的选择。"),
        el("div", { class: "scan-pages" }, el("img", { src: roundPath() + "/scans/" + scanID + "/image", alt: "扫描图像" })),
        printed, el("div", { class: "table-scroll" }, table), el("div", { class: "actions" }, submit)));
    }).catch(P.fail);
  }

  return {
    start: function (ctx) {
      page = ctx;
      wire();
    },
    load: fetchScans,
    draw: function (o) {
      if (!o) return;
      $("scan-panel").hidden = $("count-panel").hidden = !o.may.scan;
      render(o);
    },
    // Scans and confirmations are not on the live channel: the page looks again every 5 s.
    poll: 5000
  };
})());
