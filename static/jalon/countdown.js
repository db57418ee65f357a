/* Jalon: refresh the wall time left before each clock's due instant, once a minute.
   The server computes business time; this only counts calendar time down, with no framework.
   Each countdown is plain text in a table cell; screen readers read it when they reach it
   (no live region: a message every minute would be noise). */
(function () {
  "use strict";
  var fmt = function (ms) {
    var late = ms < 0;
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + " j"); }
    if (hours) { parts.push(hours + " h"); }
    parts.push(mins + " min");
    return (late ? "dépassé de " : "dans ") + parts.join(" ");
  };
  var refresh = function () {
    var now = Date.now();
    var nodes = document.querySelectorAll(".jalon-countdown[data-due]");
    for (var i = 0; i < nodes.length; i++) {
      var due = Date.parse(nodes[i].getAttribute("data-due"));
      if (!isNaN(due)) { nodes[i].textContent = fmt(due - now); }
    }
  };
  refresh();
  window.setInterval(refresh, 60000);
})();
