// Live screens: a WebSocket that reconnects by itself, the server's clock, and the speech clock arithmetic
// (the same as PingyiCore's SpeechClock, so every screen computes the same time from the same server timestamps).
"use strict";
(function () {
  var offsets = [];
  var offset = 0;

  /// Server time minus local time. A message left the server at serverTimeMs and arrived a little later, so each
  /// sample underestimates the offset by the transit time; the largest recent sample is the best estimate.
  function sample(serverTimeMs) {
    offsets.push(serverTimeMs - Date.now());
    if (offsets.length > 12) offsets.shift();
    offset = Math.max.apply(null, offsets);
  }

  function serverNow() { return Date.now() + offset; }

  function elapsedMs(clock, now) {
    if (clock.startedAtMs == null) return 0;
    var until = clock.endedAtMs != null ? clock.endedAtMs : clock.pausedAtMs != null ? clock.pausedAtMs : now;
    return Math.max(0, until - clock.startedAtMs - clock.pausedSeconds * 1000);
  }

  function remainingMs(clock, now) { return clock.limitSeconds * 1000 - elapsedMs(clock, now); }

  function phase(clock, now) {
    if (clock.startedAtMs == null) return "not_started";
    if (clock.endedAtMs != null) return "finished";
    if (clock.pausedAtMs != null) return "paused";
    var left = remainingMs(clock, now);
    return left < 0 ? "overtime" : left <= 60000 ? "warning" : "running";
  }

  function format(remaining) {
    var over = remaining < 0;
    var s = over ? Math.floor(-remaining / 1000) : Math.ceil(remaining / 1000);
    var text = (s / 60 < 10 ? "0" : "") + Math.floor(s / 60) + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
    return over ? "+" + text : text;
  }

  /// Keeps one socket open to /live/{token}; calls onState with every snapshot, onStatus with 连接中/已连接/已断开.
  function connect(token, onState, onStatus) {
    var delay = 500, socket = null, lastRevision = -1;
    function open() {
      onStatus && onStatus("connecting");
      socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live/" + encodeURIComponent(token));
      socket.onopen = function () { delay = 500; onStatus && onStatus("open"); };
      socket.onmessage = function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        if (data.serverTimeMs) sample(data.serverTimeMs);
        if (data.type === "state") { lastRevision = data.revision; onState(data); }
      };
      socket.onclose = function () {
        onStatus && onStatus("closed");
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
    return { close: function () { if (socket) { socket.onclose = null; socket.close(); } } };
  }

  /// Redraws a clock element ten times a second; its data-remaining-ms carries the exact value for tests.
  function drive(element, getClock) {
    function tick() {
      var clock = getClock();
      if (!clock) { element.textContent = "--:--"; element.className = element.className.replace(/ phase-\S+/g, ""); return; }
      var now = serverNow();
      var left = remainingMs(clock, now);
      element.textContent = format(left);
      element.setAttribute("data-remaining-ms", String(Math.round(left)));
      element.setAttribute("data-phase", phase(clock, now));
      element.className = element.className.replace(/ phase-\S+/g, "") + " phase-" + phase(clock, now);
    }
    tick();
    return setInterval(tick, 100);
  }

  var statusText = { connecting: "连接中", open: "已连接", closed: "已断开，正在重连" };
  function showStatus(element) {
    return function (status) {
      element.textContent = statusText[status];
      element.setAttribute("data-status", status);
      element.className = "state " + (status === "open" ? "state-meeting" : "state-counting");
    };
  }

  window.PingyiLive = { connect: connect, drive: drive, serverNow: serverNow, remainingMs: remainingMs, phase: phase,
                        format: format, showStatus: showStatus };
})();
