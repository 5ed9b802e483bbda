// The org tree: list with indentation, create, rename, move, delete, import a CSV/XLSX.
// The one page shape (pingyi.js): load the units in scope, redraw the tree's rows by unit; actions refresh the page.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  var page = null;
  var kinds = ["党委", "党工委", "党组", "党总支", "党支部", "联合党支部", "临时党支部"];
  var domains = [["rural", "农村"], ["urban_community", "城市社区"], ["government", "机关"], ["state_enterprise", "国企"],
                 ["new_organization", "两新组织"], ["school", "学校"], ["health", "卫健"]];
  var units = [];

  function load() { return page.refresh(); }

  function draw(list) {
    units = list;
    var children = {}, ids = {}, rows = [];
    list.forEach(function (u) { ids[u.id] = true; (children[u.parentID || ""] = children[u.parentID || ""] || []).push(u); });
    function walk(unit, depth) {
      rows.push({ unit: unit, depth: depth });
      (children[unit.id] || []).forEach(function (c) { walk(c, depth + 1); });
    }
    list.filter(function (u) { return !u.parentID || !ids[u.parentID]; }).forEach(function (u) { walk(u, 0); });
    P.redrawList($("org-table").querySelector("tbody"), rows, function (r) { return r.unit.id; }, function (r) {
      var unit = r.unit;
      return P.el("tr", { "data-unit": unit.id },
        P.el("td", { style: "padding-left:" + (0.5 + r.depth * 1.5) + "em" }, unit.name, unit.isDemo ? P.el("span", { class: "badge" }, "演示") : null),
        P.el("td", { class: "nowrap" }, unit.kind), P.el("td", { class: "nowrap" }, unit.domainLabel), P.el("td", { class: "nowrap" }, unit.secretaryName || "—"),
        P.el("td", { class: "nowrap" },
          P.el("button", { type: "button", onclick: function () { rename(unit); } }, "改名"),
          P.el("button", { type: "button", onclick: function () { secretary(unit); } }, "书记"),
          P.el("button", { type: "button", "data-action": "move", onclick: function () { move(unit); } }, "移动"),
          P.el("button", { type: "button", class: "danger", onclick: function (e) { remove(unit, e.target); } }, "删除")));
    });
    var noneLabel = P.may.createTopLevelUnits ? "（顶级组织）" : null;
    var parent = $("o-parent").value, into = $("i-parent").value;
    P.unitOptions(list, $("o-parent"), parent || P.me.orgUnitID, noneLabel);
    // Never file real units under the demo's tree by default: a system admin imports at the top level.
    P.unitOptions(list, $("i-parent"), into || P.me.orgUnitID, noneLabel);
    Array.prototype.forEach.call($("i-parent").options, function (o) {
      var unit = list.filter(function (u) { return u.id === o.value; })[0];
      if (unit && unit.isDemo) o.textContent += "（演示）";
    });
  }

  /// An import refused because a name is taken by a demo unit says so, and what to do.
  function explainDemoNames(err) {
    var demo = {};
    units.forEach(function (u) { if (u.isDemo) demo[u.name] = true; });
    var taken = [];
    (err.issues || []).forEach(function (issue) {
      var m = /名称“(.+)”已存在/.exec(issue.message);
      if (m && demo[m[1]]) {
        issue.message += "（这是演示数据中的组织，名称与贵单位的组织相同）";
        if (taken.indexOf(m[1]) < 0) taken.push(m[1]);
      }
    });
    if (taken.length) {
      err.issues.unshift({ line: 0, message: "有 " + taken.length + " 个名称已被演示数据中的组织占用（" + taken.slice(0, 3).join("、") +
        (taken.length > 3 ? " 等" : "") + "）：请系统管理员先在首页“删除演示数据”，再导入本文件。" });
      err.message = "导入未完成：" + taken.length + " 个名称与演示组织重名，请先删除演示数据";
    }
    return err;
  }

  function patch(unit, body, done) {
    return P.api("PATCH", "/api/v1/org-units/" + unit.id, body).then(function () { P.flash(done); return load(); }).catch(function (err) { P.fail(err); });
  }
  function rename(unit) {
    P.ask({ title: "修改组织名称", confirmLabel: "保存", fields: [{ name: "name", label: "组织名称", value: unit.name, maxlength: 100 }] })
      .then(function (a) { if (a && a.name.trim() && a.name.trim() !== unit.name) patch(unit, { name: a.name.trim() }, "已改名为 " + a.name.trim()); });
  }
  function secretary(unit) {
    P.ask({ title: unit.name + " 的书记", confirmLabel: "保存",
            fields: [{ name: "name", label: "书记姓名（可留空）", value: unit.secretaryName, maxlength: 50, required: false }] })
      .then(function (a) { if (a) patch(unit, { secretaryName: a.name.trim() }, "已更新书记"); });
  }
  function move(unit) {
    var choices = P.unitChoices(units, unit.id);
    P.ask({ title: "移动“" + unit.name + "”", confirmLabel: "移动", lines: ["它的下级组织随之移动。"],
            fields: [{ name: "parent", label: "移到哪个组织之下", type: "unit", options: choices, value: unit.parentID }] })
      .then(function (a) {
        if (!a || !a.parent || a.parent === unit.parentID) return;
        var target = units.filter(function (u) { return u.id === a.parent; })[0];
        patch(unit, { parentID: a.parent }, "已移动到 " + (target ? target.name : "") + " 之下");
      });
  }
  function remove(unit, button) {
    P.ask({ title: "删除组织“" + unit.name + "”", lines: ["只能删除没有下级组织、没有评议活动使用的组织。"], confirmLabel: "删除", danger: true }).then(function (answer) {
      if (!answer) return;
      P.busy(button, "正在删除…", function () {
        return P.api("DELETE", "/api/v1/org-units/" + unit.id).then(function () { P.flash("已删除 " + unit.name); return load(); });
      });
    });
  }

  function wire() {
  kinds.forEach(function (k) { $("o-kind").appendChild(P.option(k, k)); });
  domains.forEach(function (d) { $("o-domain").appendChild(P.option(d[0], d[1])); });
  $("org-form").addEventListener("submit", function (event) {
    event.preventDefault();
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return P.api("POST", "/api/v1/org-units", {
        parentID: $("o-parent").value || undefined, name: $("o-name").value, kind: $("o-kind").value,
        domain: $("o-domain").value, secretaryName: $("o-secretary").value
      }).then(function (u) { $("o-name").value = ""; $("o-secretary").value = ""; P.flash("已新建 " + u.name); return load(); });
    });
  });

  $("org-import").addEventListener("submit", function (event) {
    event.preventDefault();
    var file = $("i-file").files[0];
    if (!file) return;
    $("import-issues").hidden = true;
    P.busy(event.target.querySelector("button"), "正在导入…", function () {
      var parent = $("i-parent").value;
      // The office's own headers the server does not know: the clerk says which column each is, and it goes again.
      return P.importFile("/api/v1/org-units/import" + (parent ? "?parent=" + encodeURIComponent(parent) : ""), file)
        .then(function (r) { P.flash("已导入 " + r.imported + " 个组织"); event.target.reset(); return load(); },
              function (err) { P.showIssues($("import-issues"), explainDemoNames(err)); throw err; });
    });
  });

  }

  return {
    start: function (ctx) {
      page = ctx;
      wire();
      if (!P.isAdmin()) {
        Array.prototype.forEach.call(document.querySelectorAll("form, h2"), function (n) { n.hidden = true; });
      }
    },
    load: function () { return P.api("GET", "/api/v1/org-units"); },
    draw: draw
  };
})());
