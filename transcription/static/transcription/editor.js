// Transcript page, keyboard first: play/pause, skip, speed, step through doubtful words, and (for
// those who may) correct a word or a turn in place; the server aligns the correction to the timed
// words and answers the new words, which replace the old ones here without a reload.
(function () {
  "use strict";
  var box = document.getElementById("transcript");
  var W = window.TranscriptWords;
  if (!box || !W) { return; }
  var config = document.getElementById("editor");
  var editable = !!config && config.dataset.editable === "true";
  var audio = document.getElementById("player");
  var info = document.getElementById("word-info");
  var sheet = document.getElementById("shortcuts");
  var speed = document.getElementById("speed");
  var ROLLBACK_S = 2, SKIP_S = 5;
  var rollbackFrom = null; // where typing paused playback: it resumes a little before
  var editing = null; // the open correction: {field, spans, start, end, hidden, saving}

  // Words are numbered in page order (words.js makes a turn's spans when they are needed).
  function indexOf(span) { return W.indexOf(span); }
  function isWord(el) { return !!el && el.classList && el.classList.contains("w") && box.contains(el); }
  function clock(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    var ss = ("0" + (s % 60)).slice(-2);
    return h ? h + ":" + ("0" + m).slice(-2) + ":" + ss : m + ":" + ss;
  }
  function say(text, isError) {
    if (!info) { return; }
    info.textContent = text;
    info.classList.toggle("error", !!isError);
  }

  // What the focused word is, in words: seen without hovering (touch screens have no tooltips).
  function describe(span) {
    var how = span.classList.contains("ed") ? "checked by a person"
      : span.title ? span.title : "confident";
    say("“" + span.textContent + "” at " + clock(+span.dataset.s) + " · " + how);
  }

  // One word is the transcript's tab stop (a roving tabindex): Tab reaches it, arrows move it.
  var stop = null;
  function focusWord(span, seek) {
    if (!span) { return; }
    if (stop && stop !== span) { stop.removeAttribute("tabindex"); }
    stop = span;
    span.tabIndex = 0;
    span.focus();
    describe(span);
    if (seek && audio && audio.paused) { audio.currentTime = Math.max(0, +span.dataset.s - 1000) / 1000; }
  }
  var first = box.querySelector(".w");
  if (first) { first.tabIndex = 0; stop = first; }
  box.addEventListener("focusin", function (e) { if (isWord(e.target)) { describe(e.target); } });
  box.addEventListener("click", function (e) {
    var span = e.target.closest(".w");
    // A word or a time clicked is where to listen now (transcript.js seeks there): no rewind.
    if (e.target.closest(".w, .ts")) { rollbackFrom = null; }
    if (isWord(span) && !editing) { focusWord(span, false); }
  });
  box.addEventListener("dblclick", function (e) {
    var span = e.target.closest(".w");
    if (editable && isWord(span)) { editWord(span, null); }
  });

  function doubtfulFrom(span, step) {
    for (var i = indexOf(span) + step; i >= 0 && i < W.count(); i += step) {
      if (W.shade(i) === "lo") { return W.span(i); }
    }
    return null;
  }
  function neighbour(span, step) { return W.span(indexOf(span) + step); }
  function nextTurn(span, step) { return W.span(W.turnStep(indexOf(span), step)); }

  // Playback.
  function toggle() {
    if (!audio || audio.error) { return; }
    if (audio.paused) {
      rewind();
      var p = audio.play();
      if (p && p.catch) { p.catch(function () {}); }
    } else { audio.pause(); }
  }
  function skip(seconds) {
    if (!audio) { return; }
    audio.currentTime = Math.max(0, Math.min(audio.duration || Infinity, audio.currentTime + seconds));
  }
  function setSpeed(step) {
    if (!speed) { return; }
    speed.selectedIndex = Math.max(0, Math.min(speed.options.length - 1, speed.selectedIndex + step));
    applySpeed();
    say("Speed " + speed.value + "×");
  }
  function applySpeed() { if (audio && speed) { audio.playbackRate = parseFloat(speed.value); } }
  if (speed) { speed.addEventListener("change", applySpeed); }
  if (audio) {
    // Resumed with the player's own button: the "play" event. A "play" event queued before typing
    // paused the audio arrives late, with the audio paused: that is not a resume.
    audio.addEventListener("play", function () { if (!audio.paused) { rewind(); } });
  }
  function rewind() {
    if (rollbackFrom === null) { return; }
    audio.currentTime = Math.max(0, rollbackFrom - ROLLBACK_S);
    rollbackFrom = null;
  }
  function pauseForTyping() {
    if (audio && !audio.paused) { audio.pause(); rollbackFrom = audio.currentTime; }
  }

  // Corrections.
  function replaceSpans(spans, words) {
    if (spans.indexOf(stop) >= 0) { stop = null; }
    var from = indexOf(spans[0]);
    return W.replace(from, from + spans.length, words);
  }
  function send(body) {
    body.revision = +config.dataset.revision;
    return fetch(config.dataset.editUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.dataset.csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return { error: "The server answered " + r.status + "." }; })
        .then(function (data) { if (!r.ok) { throw new Error(data.error || "Not saved."); } return data; });
    });
  }
  function saved(data, spans) {
    config.dataset.revision = data.revision;
    var after = neighbour(spans[spans.length - 1], 1);
    var made = replaceSpans(spans, data.words);
    var target = made[0] || after;
    if (target && audio) {
      audio.currentTime = +target.dataset.s / 1000;
      // Resuming after a correction replays a little before the corrected word.
      if (rollbackFrom !== null) { rollbackFrom = audio.currentTime; }
    }
    return { made: made, target: target };
  }

  function accept(span) {
    if (!editable || span.classList.contains("ed")) { return; }
    var i = indexOf(span);
    send({ action: "accept", start: i, end: i + 1 }).then(function (data) {
      var result = saved(data, [span]);
      var next = doubtfulFrom(result.made[0], 1);
      focusWord(next || result.made[0], !!next);
      say("Accepted “" + result.made[0].textContent + "” (revision " + data.revision + ").");
    }).catch(function (err) { say(err.message, true); });
  }

  function open(spans, field, hidden) {
    pauseForTyping();
    var start = indexOf(spans[0]);
    editing = { field: field, spans: spans, start: start, end: start + spans.length, hidden: hidden, saving: false };
    hidden.hidden = true;
    hidden.insertAdjacentElement("afterend", field);
    field.focus();
    field.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); save(); }
      else if (e.key === "Escape") { e.preventDefault(); close(true); }
      e.stopPropagation();
    });
    field.addEventListener("blur", function () {
      // Leaving a field with changes saves them; leaving it untouched closes it.
      if (editing && editing.field === field && !editing.saving) {
        if (field.value === field.defaultValue) { close(false); } else { save(); }
      }
    });
  }
  function close(refocus) {
    if (!editing) { return; }
    var e = editing;
    editing = null;
    e.field.remove();
    e.hidden.hidden = false;
    if (refocus && e.spans[0].isConnected) { focusWord(e.spans[0], false); }
  }
  function save() {
    var e = editing;
    if (!e || e.saving) { return; }
    if (e.field.value === e.field.defaultValue) { close(true); return; }
    e.saving = true;
    say("Saving…");
    send({ action: "correct", start: e.start, end: e.end, text: e.field.value }).then(function (data) {
      editing = null;
      e.field.remove();
      e.hidden.hidden = false;
      var result = saved(data, e.spans);
      focusWord(result.target, false);
      say("Saved " + data.summary + " (revision " + data.revision + ").");
    }).catch(function (err) {
      e.saving = false;
      say("Not saved: " + err.message, true);
      e.field.focus();
    });
  }
  function editWord(span, typed) {
    if (!editable || editing) { return; }
    var field = document.createElement("input");
    field.type = "text";
    field.className = "w-edit";
    field.defaultValue = span.textContent;
    field.value = typed === null ? span.textContent : typed;
    field.size = Math.max(4, span.textContent.length + 2);
    field.setAttribute("aria-label", "Correct “" + span.textContent + "”: Enter saves, Escape cancels");
    field.addEventListener("input", function () { field.size = Math.max(field.size, field.value.length + 2); });
    open([span], field, span);
    if (typed === null) { field.select(); } else { field.setSelectionRange(field.value.length, field.value.length); }
  }
  function editTurn(span) {
    if (!editable || editing) { return; }
    var p = span.closest("p"), spans = Array.prototype.slice.call(p.querySelectorAll(".w"));
    var field = document.createElement("textarea");
    field.className = "turn-edit";
    field.defaultValue = spans.map(function (s) { return s.textContent; }).join(" ");
    field.rows = Math.min(12, Math.max(2, Math.ceil(field.defaultValue.length / 60)));
    field.setAttribute("aria-label", "Correct this turn: Enter saves, Escape cancels");
    open(spans, field, p);
  }

  // A mouse's way to a whole turn: the turn of the word last focused (Shift+Enter from the keyboard).
  var turnButton = document.getElementById("edit-turn");
  if (turnButton) {
    box.addEventListener("focusin", function (e) { if (isWord(e.target)) { turnButton.disabled = false; } });
    turnButton.addEventListener("click", function () { if (stop && stop.isConnected) { editTurn(stop); } });
  }

  // The shortcut sheet.
  function showSheet() { if (sheet && !sheet.open) { sheet.showModal(); } }
  var opener = document.getElementById("shortcuts-open");
  if (opener) { opener.addEventListener("click", showSheet); }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || (sheet && sheet.open) || editing) { return; }
    var t = e.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable]")) { return; }
    var onWord = isWord(t);
    if (e.key === "?" ) { e.preventDefault(); showSheet(); return; }
    if (e.altKey || e.metaKey) { return; }
    if (e.ctrlKey) {
      if (onWord && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
        e.preventDefault();
        focusWord(neighbour(t, e.key === "ArrowLeft" ? -1 : 1), false);
      }
      return;
    }
    var control = t.closest && t.closest("button, a, summary");
    switch (e.key) {
      case " ":
        if (control) { return; }
        e.preventDefault(); toggle(); return;
      case "Escape": e.preventDefault(); toggle(); return;
      case "ArrowLeft": e.preventDefault(); skip(-SKIP_S); return;
      case "ArrowRight": e.preventDefault(); skip(SKIP_S); return;
      case "<": e.preventDefault(); setSpeed(-1); return;
      case ">": e.preventDefault(); setSpeed(1); return;
    }
    if (!onWord) { return; }
    if (e.key === "Tab") {
      var next = doubtfulFrom(t, e.shiftKey ? -1 : 1);
      // Past the last doubtful word, Tab leaves the transcript as usual.
      if (next) { e.preventDefault(); focusWord(next, true); }
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      var turn = nextTurn(t, e.key === "ArrowDown" ? 1 : -1);
      if (turn) { e.preventDefault(); focusWord(turn, false); }
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (e.shiftKey) { editTurn(t); } else { accept(t); }
    } else if (e.key === "F2") {
      e.preventDefault(); editWord(t, null);
    } else if (editable && e.key.length === 1 && e.key !== " ") {
      e.preventDefault(); editWord(t, e.key);
    }
  });
})();
