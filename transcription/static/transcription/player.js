// A recording the app cannot stream (Twilio not configured, recording deleted) leaves the player
// at 0:00 with no word of why: ask the media URL again and show the app's own message under it.
(function () {
  "use strict";
  function explain(audio) {
    if (audio.dataset.explained) { return; }
    audio.dataset.explained = "true";
    // Words cannot be heard: stop saying they can.
    var hint = document.getElementById("play-hint");
    if (hint) { hint.textContent = "The audio cannot be played, so words cannot be heard."; }
    fetch(audio.currentSrc || audio.src, { headers: { Range: "bytes=0-0" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? "" : r.text(); })
      .catch(function () { return "The server could not be reached."; })
      .then(function (text) {
        if (!text) { return; }
        var note = document.createElement("p");
        note.className = "error player-error";
        note.setAttribute("role", "alert");
        note.textContent = "The recording cannot be played: " + text.trim();
        audio.insertAdjacentElement("afterend", note);
      });
  }
  Array.prototype.forEach.call(document.querySelectorAll("audio[src]"), function (audio) {
    // The error may have come before this deferred script ran.
    if (audio.error) { explain(audio); }
    audio.addEventListener("error", function () { explain(audio); });
  });
})();
