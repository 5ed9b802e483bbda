// Printable paper forms for a round: one page per form per sheet set, each with the set's serial number.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, el = P.el;
  var parts = location.pathname.split("/");
  var id = parts[2], roundID = parts[4];
  var grades = ["好", "较好", "一般", "差"];
  P.api("GET", "/api/v1/me").then(function (me) {
    P.setCSRF(me.csrfToken);
    return Promise.all([P.api("GET", "/api/v1/campaigns/" + id), P.api("GET", "/api/v1/campaigns/" + id + "/rounds/" + roundID + "/sheets")]);
  }).then(function (r) {
    var detail = r[0], overview = r[1];
    var box = document.getElementById("sheets");
    overview.sheets.forEach(function (sheet) {
      detail.forms.forEach(function (form) {
        var head = el("tr", null, el("th", { rowspan: "2" }, "序号"), el("th", { rowspan: "2" }, "述职对象"));
        var sub = el("tr");
        form.columns.forEach(function (c) {
          head.appendChild(el("th", { colspan: "4" }, c.name));
          grades.forEach(function (g) { sub.appendChild(el("th", null, g)); });
        });
        var body = el("tbody");
        detail.reportees.forEach(function (rep) {
          var row = el("tr", null, el("td", null, String(rep.position)), el("td", { style: "text-align:left" }, rep.name + "（" + rep.unitName + "）"));
          form.columns.forEach(function () { grades.forEach(function () { row.appendChild(el("td", { class: "box" }, "□")); }); });
          body.appendChild(row);
        });
        box.appendChild(el("section", { class: "paper-sheet" },
          el("span", { class: "serial" }, "编号 " + String(sheet.serial).padStart(4, "0")),
          el("h2", null, form.name + "评议表"),
          el("p", null, detail.campaign.title + " · 第 " + overview.round.number + " 轮 · 评议人类别：" + sheet.raterGroup),
          el("p", null, "说明：每个栏目只能选一项，请在选项下的方框内打“○”；不选视为弃权，多选则该栏无效。不记名，填写后投入票箱。"),
          el("table", { class: "paper" }, el("thead", null, head, sub), body)));
      });
    });
    document.getElementById("paper-status").textContent = "共 " + overview.sheets.length + " 套评议表，每套 " + detail.forms.length + " 页，编号见右上角。";
  }).catch(function (err) { document.getElementById("paper-status").textContent = err.message; });
});
