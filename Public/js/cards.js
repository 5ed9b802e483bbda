// 签到卡: one card per participant with the personal check-in code and its QR; cut and hand out before the meeting.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi;
  var id = location.pathname.split("/")[2];
  function esc(t) { return String(t).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  Promise.all([P.api("GET", "/api/v1/campaigns/" + id), P.api("GET", "/api/v1/campaigns/" + id + "/check-in-cards")]).then(function (r) {
    var title = r[0].campaign.title, cards = r[1];
    document.getElementById("cards").innerHTML = cards.map(function (c) {
      return '<div class="slip"><div class="slip-head">' + esc(title) + '<br>签到卡</div><div class="slip-qr">' + c.qrSVG +
        '</div><div class="slip-code">' + esc(c.code) + '</div><div class="slip-help"><b>' + esc(c.name) + '</b> ' + esc(c.unitName) +
        '<br>' + esc(c.roleLabel) + (c.raterGroup ? "（" + esc(c.raterGroup) + "）" : "") + '</div></div>';
    }).join("");
    document.getElementById("cards-status").textContent = "共 " + cards.length + " 张签到卡。签到时扫描二维码或输入签到码。";
  }).catch(function (err) { document.getElementById("cards-status").textContent = err.message; });
});
