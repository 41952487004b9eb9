// The transcript's words, for the page's other scripts (transcript.js, editor.js, seek.js).
// The server sends each turn as plain text plus its word timings in one attribute (data-w: see
// transcription/page_text.py); a word's <span> is made only when its turn comes near the screen
// or a script asks for it (the spoken word, a search hit, the word being corrected). A 3-hour call
// has about 30,000 words: made all at once they cost the page a second before it answered.
// Words are numbered in page order, which is the order the editor's server numbers them.
(function () {
  "use strict";
  var box = document.getElementById("transcript");
  if (!box) { return; }
  var EAGER = 2000; // up to this many words, every span is made at once (a call of ~10 minutes)

  var start = [], end = [], text = [], mark = [], turns = [];
  // Classes the scripts put on words (now, hit, moment...): kept here, so a span made later has them.
  var classes = {};

  function readTurn(p) {
    var turn = { p: p, first: start.length, n: 0, made: false };
    var timings = p.getAttribute("data-w");
    if (timings === null) {
      // Words with a space inside: the server wrote their spans (page_text.block_text).
      var spans = p.querySelectorAll(".w");
      for (var k = 0; k < spans.length; k++) {
        var span = spans[k], cls = span.classList;
        start.push(+span.dataset.s); end.push(+span.dataset.e); text.push(span.textContent);
        var pct = /(\d+)%/.exec(span.title || "");
        mark.push(cls.contains("ed") ? "e" : cls.contains("lo") ? "l" + (pct ? pct[1] : "")
          : cls.contains("mid") ? "m" + (pct ? pct[1] : "") : "");
      }
      turn.n = spans.length;
      turn.made = true;
      return turn;
    }
    var tokens = timings ? timings.split(" ") : [], words = p.textContent.split(" "), at = 0;
    for (var i = 0; i < tokens.length; i++) {
      var f = tokens[i].split(",");
      at += +f[0];
      start.push(at); end.push(at + (+f[1])); text.push(words[i]); mark.push(f[2] || "");
    }
    turn.n = tokens.length;
    return turn;
  }
  var paras = box.querySelectorAll(".para p");
  for (var t = 0; t < paras.length; t++) { turns.push(readTurn(paras[t])); }

  function shadeOf(m) { return m === "e" ? "ed" : m.charAt(0) === "l" ? "lo" : m.charAt(0) === "m" ? "mid" : ""; }
  function spanFor(i) {
    var span = document.createElement("span"), shade = shadeOf(mark[i]);
    span.className = "w" + (shade ? " " + shade : "");
    for (var c in classes) { if (classes[c].has(i)) { span.classList.add(c); } }
    span.dataset.s = start[i];
    span.dataset.e = end[i];
    if (shade === "lo" || shade === "mid") { span.title = mark[i].slice(1) + "% sure"; }
    span.textContent = text[i];
    return span;
  }
  // The turn's <p>, its text replaced by one span per word.
  function make(turn) {
    if (turn.made) { return; }
    turn.made = true;
    var fragment = document.createDocumentFragment();
    for (var i = turn.first; i < turn.first + turn.n; i++) {
      if (i > turn.first) { fragment.appendChild(document.createTextNode(" ")); }
      fragment.appendChild(spanFor(i));
    }
    turn.p.replaceChildren(fragment);
    turn.p.removeAttribute("data-w");
  }
  function turnOf(i) {
    var lo = 0, hi = turns.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (turns[mid].first <= i) { lo = mid; } else { hi = mid - 1; }
    }
    // Skip turns left empty by a correction that removed all their words.
    while (lo < turns.length - 1 && turns[lo].first + turns[lo].n <= i) { lo++; }
    return turns[lo];
  }
  // The span of word i, made if it was not yet.
  function span(i) {
    if (i < 0 || i >= start.length) { return null; }
    var turn = turnOf(i);
    make(turn);
    return turn.p.querySelectorAll(".w")[i - turn.first] || null;
  }
  var turnByP = new Map();
  turns.forEach(function (turn) { turnByP.set(turn.p, turn); });
  function indexOf(el) {
    var turn = turnByP.get(el.closest("p"));
    if (!turn) { return -1; }
    var k = Array.prototype.indexOf.call(turn.p.querySelectorAll(".w"), el);
    return k < 0 ? -1 : turn.first + k;
  }

  function add(cls, i) {
    (classes[cls] = classes[cls] || new Set()).add(i);
    var turn = turnOf(i);
    if (turn.made) { var s = span(i); if (s) { s.classList.add(cls); } }
  }
  function remove(cls, i) {
    if (!classes[cls] || !classes[cls].delete(i)) { return; }
    var turn = turnOf(i);
    if (turn.made) { var s = span(i); if (s) { s.classList.remove(cls); } }
  }
  function clear(cls) {
    if (!classes[cls]) { return; }
    box.querySelectorAll(".w." + cls).forEach(function (s) { s.classList.remove(cls); });
    classes[cls].clear();
  }
  function has(cls, i) { return !!classes[cls] && classes[cls].has(i); }

  // A correction: words [from, to) become `words` (the server's answer); their spans are replaced in
  // place, the numbers of the words after them move. Answers the new spans.
  function replace(from, to, words) {
    var turn = turnOf(from);
    make(turn);
    var old = Array.prototype.slice.call(turn.p.querySelectorAll(".w"), from - turn.first, to - turn.first);
    var delta = words.length - (to - from);
    var marks = words.map(function (w) {
      if (w.edited || w.accepted) { return "e"; }
      var c = w.confidence, low = W.low;
      if (c === undefined || c === null || c >= low + (1 - low) / 2) { return ""; }
      return (c < low ? "l" : "m") + Math.round(c * 100);
    });
    Array.prototype.splice.apply(start, [from, to - from].concat(words.map(function (w) { return w.start; })));
    Array.prototype.splice.apply(end, [from, to - from].concat(words.map(function (w) { return w.end; })));
    Array.prototype.splice.apply(text, [from, to - from].concat(words.map(function (w) { return w.text; })));
    Array.prototype.splice.apply(mark, [from, to - from].concat(marks));
    for (var c in classes) {
      var moved = new Set();
      classes[c].forEach(function (i) { if (i < from) { moved.add(i); } else if (i >= to) { moved.add(i + delta); } });
      classes[c] = moved;
    }
    turn.n += delta;
    for (var t = turns.indexOf(turn) + 1; t < turns.length; t++) { turns[t].first += delta; }
    var anchor = old[0] || null, parent = turn.p, made = [];
    for (var i = from; i < from + words.length; i++) {
      var s = spanFor(i);
      parent.insertBefore(s, anchor);
      parent.insertBefore(document.createTextNode(" "), anchor);
      made.push(s);
    }
    old.forEach(function (s) {
      var after = s.nextSibling;
      if (after && after.nodeType === Node.TEXT_NODE && !after.textContent.trim()) { after.remove(); }
      s.remove();
    });
    box.dispatchEvent(new CustomEvent("transcript:changed"));
    return made;
  }

  var W = window.TranscriptWords = {
    start: start, end: end, text: text, low: 0.5,
    count: function () { return start.length; },
    shade: function (i) { return shadeOf(mark[i]); },
    span: span, indexOf: indexOf, replace: replace,
    add: add, remove: remove, clear: clear, has: has,
    // The first word of the turn after (step 1) or before (-1) word i's, skipping empty turns.
    turnStep: function (i, step) {
      var t = turns.indexOf(turnOf(i)) + step;
      while (t >= 0 && t < turns.length && !turns[t].n) { t += step; }
      return t >= 0 && t < turns.length ? turns[t].first : -1;
    }
  };
  var config = document.getElementById("editor");
  if (config && config.dataset.low) { W.low = parseFloat(config.dataset.low); }

  if (start.length <= EAGER || !("IntersectionObserver" in window)) {
    turns.forEach(make);
    return;
  }
  // The first screenful now (Tab reaches a word at once); the rest as it comes near the screen.
  for (var f = 0; f < Math.min(turns.length, 12); f++) { make(turns[f]); }
  var byPara = new Map();
  turns.forEach(function (turn) { if (!turn.made) { byPara.set(turn.p.closest(".para"), turn); } });
  var watcher = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) { return; }
      var turn = byPara.get(entry.target);
      if (turn) { make(turn); }
      watcher.unobserve(entry.target);
    });
  }, { rootMargin: "600px 0px" });
  byPara.forEach(function (turn, para) { watcher.observe(para); });
})();
