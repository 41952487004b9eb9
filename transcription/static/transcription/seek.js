// Opened at a moment (`#t=SECONDS`, Media Fragments style, as search hits link): the player seeks
// there, and the words said at that moment are highlighted and scrolled into view.
(function () {
  "use strict";
  var box = document.getElementById("transcript");
  var W = window.TranscriptWords;
  if (!box || !W) { return; }

  function momentMs() {
    var found = /(?:^#|&)t=(?:npt:)?(\d+(?:\.\d+)?)/.exec(window.location.hash);
    return found ? Math.round(parseFloat(found[1]) * 1000) : null;
  }

  function show() {
    var ms = momentMs();
    if (ms === null) { return; }
    var starts = W.start;
    // Links round the start down to the tenth: the word is the first to start at or after it
    // (turns overlap in time, so the earliest such start, not the first in page order).
    var at = -1, best = Infinity, last = -1, lastStart = -Infinity;
    for (var i = 0; i < starts.length; i++) {
      var s = starts[i];
      if (s >= ms && s < best) { best = s; at = i; }
      if (s < ms && s > lastStart) { lastStart = s; last = i; }
    }
    if (at < 0) { at = last; }
    if (at < 0) { return; }
    W.clear("moment");
    // The hit's words: the one at the moment and the found words right after it (a phrase).
    var terms = new URLSearchParams(window.location.search).get("q");
    var n = terms ? terms.trim().split(/\s+/).length : 1;
    W.add("moment", at);
    for (var k = 1; k < n && at + k < starts.length && W.has("hit", at + k); k++) {
      W.add("moment", at + k);
    }
    W.span(at).scrollIntoView({ block: "center" });
    var audio = document.getElementById("player");
    // Before the metadata is in, this sets where playback will start.
    if (audio) { audio.currentTime = ms / 1000; }
  }

  show();
  window.addEventListener("hashchange", show);
})();
