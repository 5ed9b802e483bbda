// The home page: log in through the API, list the campaigns in scope, remove the demo in one action.
"use strict";
(function () {
  var tokenKey = "pingyi.token";
  var $ = function (id) { return document.getElementById(id); };

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    var token = sessionStorage.getItem(tokenKey);
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 204) return null;
        return res.json().catch(function () { return {}; }).then(function (data) {
          if (!res.ok) {
            var err = new Error((data && data.reason) || ("请求失败（" + res.status + "）"));
            err.status = res.status;
            throw err;
          }
          return data;
        });
      });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function showLogin() {
    $("login-panel").hidden = false;
    $("campaign-panel").hidden = true;
    $("user-nav").hidden = true;
  }

  function loadCampaigns() {
    $("campaign-status").textContent = "正在加载…";
    return api("GET", "/api/v1/campaigns").then(function (campaigns) {
      var body = $("campaign-table").querySelector("tbody");
      body.textContent = "";
      var hasDemo = false;
      var details = campaigns.map(function (c) { return api("GET", "/api/v1/campaigns/" + c.id); });
      return Promise.all(details).then(function (full) {
        full.forEach(function (d) {
          var c = d.campaign;
          var row = document.createElement("tr");
          cell(row, String(c.year));
          var title = cell(row, c.title);
          if (c.isDemo) {
            hasDemo = true;
            var badge = document.createElement("span");
            badge.className = "badge";
            badge.textContent = "演示";
            title.appendChild(badge);
          }
          cell(row, c.statusLabel);
          var onsite = d.reportees.filter(function (r) { return r.mode === "onsite"; }).length;
          cell(row, "会上述职 " + onsite + " 人，书面述职 " + (d.reportees.length - onsite) + " 人");
          body.appendChild(row);
        });
        $("campaign-table").hidden = campaigns.length === 0;
        $("campaign-status").textContent = campaigns.length === 0 ? "暂无评议活动。" : "共 " + campaigns.length + " 个评议活动。";
        $("demo-actions").hidden = !hasDemo;
      });
    });
  }

  function showHome(user) {
    $("login-panel").hidden = true;
    $("campaign-panel").hidden = false;
    $("user-nav").hidden = false;
    $("user-name").textContent = user.displayName + "（" + user.roleLabel + "）";
    return loadCampaigns();
  }

  function fail(err) {
    if (err.status === 401) { sessionStorage.removeItem(tokenKey); showLogin(); return; }
    $("campaign-status").textContent = err.message;
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.target.querySelector("button");
    button.disabled = true;
    $("login-error").hidden = true;
    api("POST", "/api/v1/session", { username: $("username").value, password: $("password").value })
      .then(function (session) {
        sessionStorage.setItem(tokenKey, session.token);
        $("password").value = "";
        return showHome(session.user);
      })
      .catch(function (err) { $("login-error").textContent = err.message; $("login-error").hidden = false; })
      .then(function () { button.disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    api("DELETE", "/api/v1/session").catch(function () {}).then(function () {
      sessionStorage.removeItem(tokenKey);
      showLogin();
    });
  });

  $("remove-demo").addEventListener("click", function () {
    if (!window.confirm("确定删除全部演示数据吗？此操作不可恢复。")) return;
    var button = $("remove-demo");
    button.disabled = true;
    $("campaign-status").textContent = "正在删除演示数据…";
    api("DELETE", "/api/v1/demo")
      .then(function (result) {
        $("campaign-status").textContent = "已删除 " + result.removedCampaigns + " 个演示活动。";
        return loadCampaigns();
      })
      .catch(fail)
      .then(function () { button.disabled = false; });
  });

  if (sessionStorage.getItem(tokenKey)) {
    api("GET", "/api/v1/me").then(showHome).catch(fail);
  } else {
    showLogin();
  }
})();
