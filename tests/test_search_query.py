"""The search syntax, without the database: words, "phrases", -exclusions, OR, and odd input."""

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from search.engine import fts5_expression
from search.highlight import fragment, moment, snippet
from search.query import MAX_QUERY, MAX_TERMS, Term, fold, parse

# What people type, and what they mistype: quotes, dashes, OR, FTS5 and tsquery operators.
TYPED = st.text(
    alphabet=st.sampled_from(list("ab cMÜé\"-*():^&|!<>+NOTRDA'\\,._\t\n0ß")) | st.characters(),
    max_size=MAX_QUERY,
)


def words(query):
    return [[term.words for term in group] for group in query.groups]


def test_words_must_all_match():
    assert words(parse("refund Tuesday")) == [[("refund",)], [("tuesday",)]]


def test_a_quoted_phrase_is_one_term_in_order():
    assert words(parse('"call me back" soon')) == [[("call", "me", "back")], [("soon",)]]


def test_a_dash_excludes_a_word_or_a_phrase():
    query = parse('refund -cancel -"call back"')
    assert words(query) == [[("refund",)]]
    assert [term.words for term in query.excluded] == [("cancel",), ("call", "back")]


def test_or_joins_the_terms_on_each_side():
    assert words(parse('refund OR return "credit note" OR voucher')) == [
        [("refund",), ("return",)],
        [("credit", "note"), ("voucher",)],
    ]


def test_lowercase_or_is_a_word():
    assert words(parse("this or that")) == [[("this",)], [("or",)], [("that",)]]


def test_an_unclosed_quote_runs_to_the_end():
    assert words(parse('refund "call me')) == [[("refund",)], [("call", "me")]]


def test_a_lone_dash_or_quote_or_or_at_either_end_is_ignored():
    assert parse('- OR refund OR "').text == "refund"
    assert parse("OR OR -").text == ""
    assert not parse('"" - OR')


def test_punctuation_splits_a_word_into_a_phrase():
    assert words(parse("don't e-mail")) == [[("don", "t")], [("e", "mail")]]


def test_case_and_accents_are_folded():
    assert parse("MÜLLER Café Straße").text == "muller cafe strasse"
    assert fold("ÉCOLE") == "ecole"


def test_a_repeated_term_counts_once():
    assert parse("refund Refund REFUND").text == "refund"


def test_at_most_eight_terms_are_searched_and_the_rest_counted():
    query = parse("a b c -d e f g h i j")
    assert len(query.terms) == MAX_TERMS
    assert query.dropped == 2
    assert query.text == "a b c e f g h -d"


def test_the_query_is_cut_at_its_length_limit():
    assert len(parse("x" * 1000).terms[0].words[0]) == MAX_QUERY


@given(TYPED)
def test_any_input_parses_within_the_limits(text):
    query = parse(text)
    assert len(query.terms) <= MAX_TERMS
    for term in query.terms:
        assert term.words and all(word.isalnum() for word in term.words)


@given(TYPED)
def test_the_written_back_query_means_the_same(text):
    query = parse(text)
    if len(query.text) <= MAX_QUERY:
        again = parse(query.text)
        assert (again.groups, again.excluded) == (query.groups, query.excluded)


@given(TYPED)
def test_fts5_never_reads_typed_characters_as_syntax(text):
    # Every query SQLite is given is valid FTS5 and means only the parsed terms.
    query = parse(text)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO f(text) VALUES ('NOT AND OR NEAR text ab')")
    for part in (query.groups, query.excluded):
        if part:
            db.execute("SELECT rowid FROM f WHERE f MATCH ?", [fts5_expression(part)]).fetchall()


@given(TYPED, st.text(max_size=300))
def test_a_snippet_is_always_escaped(query, text):
    html = str(snippet(parse(query), text))
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_a_snippet_marks_folded_matches_in_the_original_text():
    assert snippet(parse("cafe muller"), "Le CAFÉ de M. MÜLLER.") == (
        "Le <mark>CAFÉ</mark> de M. <mark>MÜLLER</mark>."
    )


def test_a_snippet_marks_a_phrase_across_punctuation():
    assert snippet(parse('"call back"'), "Please call, back soon.") == "Please <mark>call, back</mark> soon."


def test_a_snippet_does_not_mark_excluded_words():
    assert snippet(parse("refund -cancel"), "refund not cancel") == "<mark>refund</mark> not cancel"


WORDS = [
    {"text": "Hello,", "start": 100, "end": 400},
    {"text": "please", "start": 500, "end": 800},
    {"text": "call", "start": 12_340, "end": 12_600},
    {"text": "back.", "start": 12_700, "end": 13_000},
    {"text": "Call", "start": 20_000, "end": 20_300},
]


def test_the_moment_is_the_start_of_the_first_matching_word_in_seconds():
    assert moment(parse("call"), WORDS) == 12.34


def test_the_moment_of_a_phrase_is_its_first_word():
    assert moment(parse('"call back"'), WORDS) == 12.34
    assert moment(parse('"please back"'), WORDS) is None


def test_the_moment_is_the_earliest_of_any_term():
    assert moment(parse("call OR please"), WORDS) == 0.5


def test_malformed_words_give_no_moment_rather_than_an_error():
    assert moment(parse("call"), [{"text": None}, "x", {"text": "call", "start": "soon"}]) is None
    assert moment(parse("call"), "not a list") is None


def test_a_fragment_is_media_fragments_time_in_tenths():
    assert fragment(12.34) == "t=12.3"
    assert fragment(7.0) == "t=7"
    assert fragment(None) == ""


def test_a_term_writes_a_phrase_in_quotes():
    assert Term(("call", "back")).text == '"call back"'
