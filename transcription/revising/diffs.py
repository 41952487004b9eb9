"""What changed, for people: a revision's hunk and the whole original-to-latest diff, as plain text runs."""

from __future__ import annotations

from typing import Any

from ..editing.align import Word, text_of, word_opcodes
from ..editing.normalize import normalize_token

# Unchanged words shown on each side of a change; longer unchanged runs are cut to this.
CONTEXT = 6


def hunk_view(patch: dict[str, Any]) -> dict[str, Any]:
    """A revision's change: the words it removed and added, and where (ms) in the audio."""
    removed, added = patch.get("removed") or [], patch.get("added") or []
    first = (removed or added or [{}])[0]
    return {"removed": text_of(removed), "added": text_of(added), "at_ms": first.get("start")}


def _clip(words: list[Word], *, head: bool, tail: bool) -> str:
    if len(words) <= 2 * CONTEXT:
        return text_of(words)
    left = text_of(words[:CONTEXT]) if head else ""
    right = text_of(words[-CONTEXT:]) if tail else ""
    return " … ".join(part for part in (left, right) if part) or "…"


def _key(word: Word) -> str:
    return normalize_token(word["text"]) or word["text"]


def text_diff(old: list[Word], new: list[Word]) -> list[tuple[str, str]]:
    """Runs of ``("same"|"del"|"ins", text)`` turning `old` words into `new`; long same runs shortened."""
    ops = word_opcodes([_key(w) for w in old], [_key(w) for w in new])
    runs: list[tuple[str, str]] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            # Case or punctuation may differ inside an "equal" run: those words show as changes.
            pairs = list(zip(old[i1:i2], new[j1:j2], strict=True))
            k = 0
            while k < len(pairs):
                same = pairs[k][0]["text"] == pairs[k][1]["text"]
                m = k
                while m < len(pairs) and (pairs[m][0]["text"] == pairs[m][1]["text"]) == same:
                    m += 1
                if same:
                    edge_head, edge_tail = n > 0 or k > 0, n < len(ops) - 1 or m < len(pairs)
                    runs.append(("same", _clip([b for _, b in pairs[k:m]], head=edge_head, tail=edge_tail)))
                else:
                    runs.append(("del", text_of([a for a, _ in pairs[k:m]])))
                    runs.append(("ins", text_of([b for _, b in pairs[k:m]])))
                k = m
            continue
        if i2 > i1:
            runs.append(("del", text_of(old[i1:i2])))
        if j2 > j1:
            runs.append(("ins", text_of(new[j1:j2])))
    return runs
