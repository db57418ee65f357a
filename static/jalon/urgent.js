/* Jalon: the declaration form of an urgent request. Choosing a type urgent by nature (the
   convention's `urgent: true`, in the type list's data-urgent-types) ticks "demande urgente";
   an urgent request gets the call's time pre-filled with now (the requester calls the hotline as
   they declare), which they can correct. The server makes the ticket urgent from its type
   anyway: this only saves typing. */
(function () {
  "use strict";
  var type = document.getElementById("id_type");
  var box = document.getElementById("id_is_urgent");
  var call = document.getElementById("id_phone_call_at");
  if (!type || !box) { return; }
  var urgentTypes = (type.getAttribute("data-urgent-types") || "").split(" ").filter(Boolean);
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var now = function () {
    var d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes());
  };
  var update = function () {
    if (urgentTypes.indexOf(type.value) >= 0) { box.checked = true; }
    if (box.checked && call && !call.value) { call.value = now(); }
  };
  type.addEventListener("change", update);
  box.addEventListener("change", update);
}());
