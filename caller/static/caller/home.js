// Home page: while calls or their transcripts are under way, follow them without a reload
// (a reload would wipe a number being typed into the dial form).
(function () {
  "use strict";
  var POLL_MS = 3000;
  var table = document.getElementById("calls");
  if (!table) { return; }

  function pendingSids() {
    return Array.prototype.map.call(
      table.querySelectorAll("tr[data-settled=false]"), function (row) { return row.dataset.callSid; });
  }

  function badge(tag, status, label, href) {
    var el = document.createElement(tag);
    el.className = "status status-" + status;
    el.textContent = label;
    if (href) { el.href = href; }
    return el;
  }

  function update(row, call) {
    var status = row.querySelector("[data-call-status]");
    status.className = "status status-" + call.status;
    status.textContent = call.label;
    if (call.duration !== null) {
      var s = call.duration, m = Math.floor(s / 60);
      row.querySelector("[data-call-duration]").textContent = m + ":" + String(s % 60).padStart(2, "0");
    }
    var cell = row.querySelector("[data-transcripts]");
    cell.textContent = "";
    call.transcripts.forEach(function (t) {
      cell.appendChild(badge("a", t.status, t.label, t.url));
      cell.appendChild(document.createTextNode(" "));
    });
    if (!call.transcripts.length) {
      var none = cell.appendChild(document.createElement("span"));
      none.className = "muted";
      none.textContent = "—";
    }
    row.dataset.settled = call.settled ? "true" : "false";
  }

  function poll() {
    var sids = pendingSids();
    if (!sids.length) { return; }
    var query = sids.map(function (sid) { return "sid=" + encodeURIComponent(sid); }).join("&");
    fetch(table.dataset.statusUrl + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.gone && data.gone.length) {
          // A reserved row got Twilio's SID: its link and SID are stale. Reload the list once, unless
          // a number is being typed; then stop following those rows.
          var number = document.getElementById("id_number");
          if (!number || !number.value) { window.location.reload(); return; }
          data.gone.forEach(function (sid) {
            var row = table.querySelector('tr[data-call-sid="' + sid + '"]');
            if (row) { row.dataset.settled = "true"; }
          });
        }
        if (data) {
          Object.keys(data.calls).forEach(function (sid) {
            var row = table.querySelector('tr[data-call-sid="' + sid + '"]');
            if (row) { update(row, data.calls[sid]); }
          });
        }
        setTimeout(poll, data ? POLL_MS : POLL_MS * 2);
      })
      .catch(function () { setTimeout(poll, POLL_MS * 2); });
  }
  if (pendingSids().length) { setTimeout(poll, POLL_MS); }
})();
