// Change one's own password. The one page shape (pingyi.js): nothing to load, one form.
"use strict";
window.Pingyi.page((function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  return {
    start: function () {
      $("password-form").addEventListener("submit", function (event) {
        event.preventDefault();
        var button = event.target.querySelector("button");
        if ($("new1").value !== $("new2").value) { P.fail(new Error("两次输入的新密码不一致"), button); return; }
        P.busy(button, "正在保存…", function () {
          return P.api("POST", "/api/v1/me/password", { currentPassword: $("current").value, newPassword: $("new1").value })
            .then(function () { event.target.reset(); P.flash("密码已修改。其他设备上的登录已退出。"); });
        });
      });
    }
  };
})());
