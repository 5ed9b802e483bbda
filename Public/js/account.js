// Change one's own password.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var P = window.Pingyi, $ = function (id) { return document.getElementById(id); };
  P.start(function () {});
  $("password-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if ($("new1").value !== $("new2").value) { P.flash("两次输入的新密码不一致", "error"); return; }
    P.busy(event.target.querySelector("button"), "正在保存…", function () {
      return P.api("POST", "/api/v1/me/password", { currentPassword: $("current").value, newPassword: $("new1").value })
        .then(function () { event.target.reset(); P.flash("密码已修改。其他设备上的登录已退出。"); });
    });
  });
});
