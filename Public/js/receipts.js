// The public list of receipts counted in a round; a voter can find theirs.
// The one page shape (pingyi.js), public: load the list, redraw it by receipt. Before the round is sealed the list
// does not exist yet: the page says when it will show and looks again every half minute until it does.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el, $ = function (id) { return document.getElementById(id); };
  var roundID = location.pathname.split("/")[2];
  var receipts = [];

  function find() {
    var q = $("find").value.toUpperCase().replace(/[\s-]/g, "");
    if (q.length < 10) { $("found").textContent = ""; return; }
    if (!receipts.length) { $("found").textContent = "回执码尚未公示，封箱后再来核对。"; $("found").className = "flash warn"; return; }
    var hit = receipts.some(function (r) { return r.replace(/-/g, "") === q; });
    $("found").textContent = hit ? "✔ 已计入：您的选票在票箱中。" : "✘ 未找到该回执码，请核对。";
    $("found").className = hit ? "flash ok" : "flash error";
  }

  return {
    open: true,
    start: function () { $("find").addEventListener("input", find); },
    load: function () {
      return P.api("GET", "/api/v1/rounds/" + encodeURIComponent(roundID) + "/receipts").catch(function (err) {
        // The server answers 404 both for a round still open and for an unknown round: say what a voter needs.
        if (err.status === 404) return null;
        throw err;
      });
    },
    draw: function (d) {
      $("r-pending").hidden = !!d;
      if (!d) {
        $("r-title").textContent = "回执码尚未公示";
        $("r-pending").textContent = "本轮投票还在进行。主持人宣布投票结束、封箱后，这里会列出本轮计入票箱的全部回执码，" +
          "您可以凭回执码核对自己的选票已经计入。本页每 30 秒自动查看一次，不必刷新；请先截图或记下回执码。" +
          "如封箱后仍看不到，请核对链接是否完整。";
        return;
      }
      receipts = d.receipts;
      $("r-title").textContent = d.campaignTitle + " · 第 " + d.roundNumber + " 轮（" + d.state + "），共 " + receipts.length + " 张";
      P.redrawList($("list"), receipts, function (r) { return r; }, function (r) { return el("li", null, r); }, function () { return ""; });
      find();
    },
    poll: 30000
  };
})());
