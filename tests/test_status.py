"""Statuses only move forward, for calls, recordings and transcripts alike."""

from djtranscribe.lib.status import status_advance, status_moves_forward

RANKS = {"queued": 0, "processing": 1, "completed": 2, "error": 2}


class Row:
    status = "processing"


def test_it_moves_a_status_forward():
    row = Row()
    assert status_advance(row, "status", "completed", RANKS) is True
    assert row.status == "completed"


def test_it_never_moves_a_status_back():
    row = Row()
    assert status_advance(row, "status", "queued", RANKS) is False
    assert row.status == "processing"


def test_it_ignores_an_unknown_status():
    assert status_moves_forward("processing", "exploded", RANKS) is False


def test_it_lets_a_status_the_ranks_do_not_know_move():
    assert status_moves_forward("", "queued", RANKS) is True


def test_it_never_moves_a_final_status_even_to_an_equal_rank():
    assert status_moves_forward("completed", "error", RANKS, final=("completed", "error")) is False
    assert status_moves_forward("completed", "error", RANKS) is True
