// Transcript page: follow the job's status, play words, highlight the spoken word, search.
(function () {
  "use strict";
  var POLL_MS = 3000;

  // While AssemblyAI works, ask the status endpoint; reload once the result is in.
  var head = document.getElementById("transcript-head");
  if (head && head.dataset.final === "false") {
    var badge = document.getElementById("transcript-status");
    var poll = function () {
      fetch(head.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return setTimeout(poll, POLL_MS * 2); }
          // Leaving `pending` brings a job id and drops the failed-attempt notice: show them.
          var accepted = head.dataset.status === "pending" && data.status !== "pending";
          if (data.status !== head.dataset.status) {
            head.dataset.status = data.status;
            badge.textContent = data.label;
            badge.className = "status status-" + data.status;
          }
          if (data.final || accepted) { window.location.reload(); } else { setTimeout(poll, POLL_MS); }
        })
        .catch(function () { setTimeout(poll, POLL_MS * 2); });
    };
    setTimeout(poll, POLL_MS);
  }

  var box = document.getElementById("transcript");
  var W = window.TranscriptWords;
  if (!box || !W) { return; }
  var starts, ends, order, sortedStarts, plain;
  // The words' times (words.js); again whenever a correction replaces some (editor.js says so).
  function index() {
    starts = W.start;
    ends = W.end;
    // A conversation's turns overlap in time, so page order is not time order: search by start.
    order = starts.map(function (_, i) { return i; });
    var sorted = true;
    for (var k = 1; k < starts.length && sorted; k++) { sorted = starts[k - 1] <= starts[k]; }
    if (!sorted) { order.sort(function (a, b) { return starts[a] - starts[b] || a - b; }); }
    sortedStarts = sorted ? starts : order.map(function (i) { return starts[i]; });
    plain = null; // normalised for search when first searched
    current = -1;
  }
  function plainWords() {
    if (!plain) { plain = W.text.map(norm); }
    return plain;
  }
  var audio = document.getElementById("player");
  var follow = document.getElementById("follow");

  function inView(el) {
    var r = el.getBoundingClientRect();
    return r.top >= 80 && r.bottom <= window.innerHeight - 20;
  }

  function norm(s) { return s.toLowerCase().replace(/[^\p{L}\p{N}']+/gu, " ").trim(); }
  var current = -1;
  index();
  box.addEventListener("transcript:changed", index);

  // Playback: clicking a word (or a paragraph's time) seeks there and plays.
  box.addEventListener("click", function (e) {
    var target = e.target.closest(".w, .ts");
    if (!target || !audio || audio.error) { return; }
    audio.currentTime = (+target.dataset.s) / 1000;
    highlight();
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  });

  // The spoken word: the last word that started at or before the playhead.
  function indexAt(ms) {
    var lo = 0, hi = sortedStarts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (sortedStarts[mid] <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found < 0) { return -1; }
    var i = order[found];
    // In a pause after a word, nothing is being spoken.
    return ms <= ends[i] + 300 ? i : -1;
  }
  function highlight() {
    if (!audio) { return; }
    var i = indexAt(audio.currentTime * 1000);
    if (i === current) { return; }
    if (current >= 0) { W.remove("now", current); }
    current = i;
    if (i >= 0) {
      W.add("now", i);
      if (follow && follow.checked && !audio.paused) {
        var span = W.span(i);
        if (!inView(span)) {
          // Far away (a seek, a jump in the audio), go there at once: a smooth scroll would pass
          // every turn between, and each would make its word spans on the way.
          var far = Math.abs(span.getBoundingClientRect().top) > 2 * window.innerHeight;
          span.scrollIntoView({ block: "center", behavior: far ? "auto" : "smooth" });
        }
      }
    }
  }
  if (audio) {
    var frame = null;
    var loop = function () { highlight(); frame = audio.paused ? null : requestAnimationFrame(loop); };
    audio.addEventListener("play", function () { if (!frame) { frame = requestAnimationFrame(loop); } });
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
  }

  // Search: words (or runs of words) containing the query, ignoring case and punctuation.
  var input = document.getElementById("search");
  var count = document.getElementById("search-count");
  var matches = [], at = -1;
  function clearHits() { W.clear("hit"); W.clear("hit-current"); }
  function show(n) {
    if (!matches.length) { return; }
    W.clear("hit-current");
    at = (n + matches.length) % matches.length;
    matches[at].forEach(function (i) { W.add("hit-current", i); });
    W.span(matches[at][0]).scrollIntoView({ block: "center" });
    count.textContent = (at + 1) + " of " + matches.length + (matches.length === 1 ? " match" : " matches");
  }
  function search() {
    clearHits();
    matches = []; at = -1;
    var terms = norm(input.value).split(" ").filter(Boolean);
    if (!terms.length) { count.textContent = ""; return; }
    var plain = plainWords();
    for (var i = 0; i + terms.length <= plain.length; i++) {
      var ok = true;
      for (var k = 0; k < terms.length && ok; k++) {
        var w = plain[i + k], t = terms[k];
        // Inner terms match whole words; the first may end a word and the last may begin one.
        if (terms.length === 1) { ok = w.indexOf(t) >= 0; }
        else if (k === 0) { ok = w.endsWith(t); }
        else if (k === terms.length - 1) { ok = w.startsWith(t); }
        else { ok = w === t; }
      }
      if (ok) {
        var run = [];
        for (k = 0; k < terms.length; k++) { run.push(i + k); W.add("hit", i + k); }
        matches.push(run);
      }
    }
    if (!matches.length && terms.length > 1) {
      // Not side by side: the transcripts list finds words anywhere, so show each where it is.
      plain.forEach(function (w, i) {
        if (terms.some(function (t) { return w.indexOf(t) >= 0; })) {
          W.add("hit", i);
          matches.push([i]);
        }
      });
    }
    if (matches.length) { show(0); return; }
    // A hit of the transcripts list may be in the call's notes only (shown above the words).
    var notes = document.getElementById("call-notes");
    var said = notes ? norm(notes.textContent) : "";
    var inNotes = terms.some(function (t) { return said.indexOf(t) >= 0; });
    count.textContent = inNotes ? "Not said; found in the call's notes" : "No match";
  }
  if (input) {
    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); show(e.shiftKey ? at - 1 : at + 1); }
    });
    document.getElementById("search-next").addEventListener("click", function () { show(at + 1); });
    document.getElementById("search-prev").addEventListener("click", function () { show(at - 1); });
    // Opened from the transcripts list with `?q=` (the page fills the box in): find it at once.
    if (input.value) { search(); }
  }

  // Step through the doubtful words, the ones worth checking by ear.
  var nextDoubtful = document.getElementById("next-doubtful");
  if (nextDoubtful) {
    var doubtful = [], d = -1;
    var listDoubtful = function () {
      doubtful = [];
      for (var i = 0; i < W.count(); i++) { if (W.shade(i) === "lo") { doubtful.push(i); } }
    };
    listDoubtful();
    box.addEventListener("transcript:changed", function () {
      listDoubtful();
      d = -1;
      nextDoubtful.textContent = "Next doubtful word (" + doubtful.length + ")";
      nextDoubtful.disabled = !doubtful.length;
    });
    nextDoubtful.addEventListener("click", function () {
      if (!doubtful.length) { return; }
      if (d >= 0) { W.remove("flash", doubtful[d]); }
      else if (audio && audio.currentTime > 0) {
        // The first step goes from where the listener is (a #t= moment, a seek), not from 0:00.
        var now = audio.currentTime * 1000, k = 0;
        while (k < doubtful.length && W.start[doubtful[k]] < now) { k++; }
        d = (k < doubtful.length ? k : 0) - 1;
      }
      d = (d + 1) % doubtful.length;
      W.add("flash", doubtful[d]);
      W.span(doubtful[d]).scrollIntoView({ block: "center" });
      if (audio) { audio.currentTime = Math.max(0, W.start[doubtful[d]] - 1000) / 1000; highlight(); }
    });
  }
})();
