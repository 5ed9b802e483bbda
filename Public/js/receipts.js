// The public list of receipts counted in a round; a voter can find theirs.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var $ = function (id) { return document.getElementById(id); };
  var roundID = location.pathname.split("/")[2];
  var receipts = [];
  fetch("/api/v1/rounds/" + encodeURIComponent(roundID) + "/receipts", { headers: { "Accept": "application/json" } })
    .then(function (res) { return res.json().then(function (d) { if (!res.ok) throw new Error(d.reason || "加载失败"); return d; }); })
    .then(function (d) {
      receipts = d.receipts;
      $("r-title").textContent = d.campaignTitle + " · 第 " + d.roundNumber + " 轮（" + d.state + "），共 " + receipts.length + " 张";
      var list = $("list");
      receipts.forEach(function (r) { var li = document.createElement("li"); li.textContent = r; list.appendChild(li); });
    })
    .catch(function (err) { $("r-title").textContent = err.message; });
  $("find").addEventListener("input", function () {
    var q = $("find").value.toUpperCase().replace(/[\s-]/g, "");
    if (q.length < 10) { $("found").textContent = ""; return; }
    var hit = receipts.some(function (r) { return r.replace(/-/g, "") === q; });
    $("found").textContent = hit ? "✔ 已计入：您的选票在票箱中。" : "✘ 未找到该回执码，请核对。";
    $("found").className = hit ? "flash ok" : "flash error";
  });
});
