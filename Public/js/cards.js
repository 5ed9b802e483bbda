// 签到卡: one card per participant with the personal check-in code and its QR; cut and hand out before the meeting.
// The one page shape (pingyi.js): load the campaign and its cards, draw one card per participant (by participant).
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el;
  /// The server's QR drawing (an SVG it made from the code alone) as a node.
  function qr(svg) { var box = el("div", { class: "slip-qr" }); box.innerHTML = svg; return box; }
  return {
    load: function (page) { return Promise.all([P.api("GET", page.base), P.api("GET", page.base + "/check-in-cards")]); },
    draw: function (r) {
      var title = r[0].campaign.title, cards = r[1];
      P.redrawList(document.getElementById("cards"), cards, function (c) { return c.code; }, function (c) {
        return el("div", { class: "slip" }, el("div", { class: "slip-head" }, title, el("br"), "签到卡"), qr(c.qrSVG),
          el("div", { class: "slip-code" }, c.code),
          el("div", { class: "slip-help" }, el("b", null, c.name), " " + c.unitName, el("br"),
            c.roleLabel + (c.raterGroup ? "（" + c.raterGroup + "）" : "")));
      });
      document.getElementById("cards-status").textContent = "共 " + cards.length + " 张签到卡。签到时扫描二维码或输入签到码。";
    }
  };
})());
