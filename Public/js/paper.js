// Printable paper forms for a round: for each rater group, that many identical sets (one page per form). No
// number or mark tells one sheet from another: forms lie on named desks before the meeting.
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
    var sets = [];
    overview.paperForms.forEach(function (plan) { for (var n = 0; n < plan.count; n++) sets.push(plan.raterGroup); });
    sets.forEach(function (raterGroup) {
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
          el("h2", null, form.name + "评议表"),
          el("p", null, detail.campaign.title + " · 第 " + overview.round.number + " 轮 · 评议人类别：" + raterGroup),
          el("p", null, "说明：每个栏目只能选一项，请在选项下的方框内打“○”；不选视为弃权，多选则该栏无效。不记名，填写后投入票箱。"),
          el("table", { class: "paper" }, el("thead", null, head, sub), body)));
      });
    });
    document.getElementById("paper-status").textContent = "共 " + sets.length + " 套评议表（" +
      overview.paperForms.map(function (p) { return p.raterGroup + " " + p.count + " 套"; }).join("，") + "），每套 " + detail.forms.length +
      " 页。同一类别的评议表完全相同、不印编号；开箱后由计票人逐张编号录入。";
  }).catch(function (err) { document.getElementById("paper-status").textContent = err.message; });
});
