"""A block of the transcript (a turn or a paragraph) as the page sends it: plain text plus timings.

A 3-hour call has about 30,000 words. One `<span>` per word with its times made 2.4 MB of HTML and
30,000 elements for the browser to build before the page answered (1.7 s in Chromium). Instead a
block is its words' text, joined by spaces and escaped, and one `data-w` attribute holding a token
per word, separated by spaces: ``DELTA,LENGTH[,MARK]`` where DELTA is the word's start in ms after
the previous word's start (the first word's is its own start), LENGTH its end minus its start, and
MARK, for a shaded word only, ``l31`` (doubtful, 31% sure), ``m72`` (unsure, 72%) or ``e`` (a
person corrected or accepted it). The page's words.js makes the word spans from these for the blocks
on screen and the ones a script needs (the spoken word, a search hit, the word being corrected).
Without JavaScript all the text is there, and so it is for find-in-page and screen readers.

A word with a space inside cannot be told apart in the text: its block gets the word spans, made
here (`words_html`), as every block had before.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from .templatetags.transcript_tags import clock_ms, words_html


@dataclass(frozen=True)
class BlockText:
    """What the page writes for one block: its HTML inside the `<p>`, and its `data-w` ("" for spans)."""

    html: SafeString
    timings: str
    doubtful: int  # words under the threshold that no person has checked


def block_text(words: list[dict[str, Any]], low: float) -> BlockText:
    """The block's escaped text and word timings (see the module's docstring); spans for odd words."""
    texts = [w["text"] for w in words]
    joined = " ".join(texts)
    mid = low + (1 - low) / 2  # the shade of templatetags.transcript_tags.shade, inlined: 30,000 calls
    tokens, doubtful, previous = [], 0, 0
    for w in words:  # every word of the call (30,000 in three hours): one f-string each, no +=
        start = w["start"]
        confidence = w.get("confidence")
        # A word a person corrected or accepted is certain: marked as checked, never shaded.
        if ("edited" in w or "accepted" in w) and (w.get("edited") or w.get("accepted")):
            tokens.append(f"{start - previous},{w['end'] - start},e")
        elif confidence is not None and confidence < mid:
            shade = "m"
            if confidence < low:
                shade = "l"
                doubtful += 1
            tokens.append(f"{start - previous},{w['end'] - start},{shade}{round(confidence * 100)}")
        else:
            tokens.append(f"{start - previous},{w['end'] - start}")
        previous = start
    if joined.count(" ") != len(texts) - 1 or "" in texts:
        return BlockText(html=words_html(words, low), timings="", doubtful=doubtful)
    # Every value in the attribute is a number or a letter; the text is escaped here.
    return BlockText(html=mark_safe(escape(joined, quote=False)), timings=" ".join(tokens), doubtful=doubtful)  # noqa: S308


def blocks_html(blocks: list[Any], *, conversation: bool) -> SafeString:
    """The transcript's blocks (reading's TurnViews or ParagraphViews, each with its `text` set), as
    the page's `#transcript` holds them. Written here rather than in a template loop: a 3-hour call
    has about 1,300 turns, and the loop cost more than the rest of the page (57 ms of ~200).
    """
    parts = []
    for block in blocks:
        attrs = f' data-w="{block.text.timings}"' if block.text.timings else ""
        label = f'<span class="who">{escape(block.label)}</span>' if block.label else ""
        if conversation:
            if block.overlaps_with:
                label += (
                    '<span class="overlap" title="Both talk at once here">overlaps '
                    f"{escape(', '.join(block.overlaps_with))}</span>"
                )
            opening = (
                f'<div class="para turn voice-{block.voice}{"" if block.label else " cont"}"'
                f' data-participant="{escape(block.participant)}">'
            )
        else:
            opening = '<div class="para">'
        parts.append(
            f'{opening}<button type="button" class="ts" data-s="{block.start}" title="Play from here">'
            f"{clock_ms(block.start)}</button><div>{label}<p{attrs}>{block.text.html}</p></div></div>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 (numbers, and text escaped above or in block_text)
