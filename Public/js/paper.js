// Printable paper forms for a round: for each rater group, that many identical sets, one A4-landscape sheet per form
// (more pages when the secretaries do not fit). Each page is drawn by the server from the same geometry the reader
// measures, with corner marks and a page code (campaign, round, group, form, page), never a per-sheet number.
// The one page shape (pingyi.js): load the round's paper plan, draw one image per page.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, el = P.el;
  var parts = location.pathname.split("/");
  var base = "/api/v1/campaigns/" + parts[2] + "/rounds/" + parts[4];
  return {
    load: function () { return P.api("GET", base + "/scans"); },
    draw: function (overview) {
      var plan = overview.paperForms;
      var pagesPerSet = overview.forms.reduce(function (n, f) { return n + f.pages; }, 0);
      var images = [];
      plan.forEach(function (group, g) {
        for (var n = 0; n < group.count; n++) {
          overview.forms.forEach(function (form) {
            for (var p = 0; p < form.pages; p++) {
              images.push({ id: [g, n, form.formIndex, p].join(":"), src: base + "/forms/" + g + "/" + form.formIndex + "/" + p,
                            alt: form.formName + "评议表（" + group.raterGroup + "）" });
            }
          });
        }
      });
      P.redrawList(document.getElementById("sheets"), images, function (i) { return i.id; }, function (i) {
        return el("img", { class: "omr-page", alt: i.alt, src: i.src });
      });
      document.getElementById("paper-status").textContent = "共 " + plan.reduce(function (n, p) { return n + p.count; }, 0) + " 套、" + images.length +
        " 页评议表（" + plan.map(function (p) { return p.raterGroup + " " + p.count + " 套"; }).join("，") + "），每套 " + pagesPerSet +
        " 页，每种评议表单独一张。同一类别的评议表完全相同、不印编号；四角方块和顶部方格供机器识别，请按 A4 横向、实际大小（100%）打印。";
    }
  };
})());
