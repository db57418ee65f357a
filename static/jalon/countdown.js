/* Jalon: refresh the wall time left before each clock's due instant, once a minute.
   The server computes business time; this only counts calendar time down, with no framework.
   Each countdown is plain text in a table cell; screen readers read it when they reach it
   (no live region: a message every minute would be noise).
   Words go through Django's JavaScript catalog (base.html loads it; domain djangojs); without it
   they stay in French. */
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (f, a) { return f.replace("%s", a[0]); };
  var fmt = function (ms) {
    var late = ms < 0;
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var parts = [];
    /* Translators: a countdown unit; "j" abbreviates "jours" (days). */
    if (days) { parts.push(interpolate(gettext("%s j"), [days])); }
    if (hours) { parts.push(interpolate(gettext("%s h"), [hours])); }
    parts.push(interpolate(gettext("%s min"), [mins]));
    return interpolate(late ? gettext("dépassé de %s") : gettext("dans %s"), [parts.join(" ")]);
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
