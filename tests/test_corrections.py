"""Correcting a transcript: the save endpoint, revisions, revert, merge, and who may do it."""

import json

import pytest
from django.contrib.auth.models import Permission
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from tests.factories import make_transcript, make_user
from transcription import exports
from transcription.models import Participant, Revision, RevisionKind, Transcript
from transcription.revising.services import EditError, transcript_correct, transcript_revert, words_at
from transcription.signals import transcript_revised

pytestmark = pytest.mark.django_db

WORDS = [
    {"text": "Thanks", "start": 0, "end": 400, "confidence": 0.97, "speaker": "A"},
    {"text": "for", "start": 400, "end": 600, "confidence": 0.95, "speaker": "A"},
    {"text": "calling", "start": 600, "end": 1000, "confidence": 0.96, "speaker": "A"},
    {"text": "jango.", "start": 1000, "end": 1600, "confidence": 0.31, "speaker": "A"},
    {"text": "Hi", "start": 2000, "end": 2200, "confidence": 0.9, "speaker": "B"},
    {"text": "there.", "start": 2200, "end": 2600, "confidence": 0.9, "speaker": "B"},
]


@pytest.fixture
def owner(db):
    return make_user("olga", password="pw-olga-123")


@pytest.fixture
def transcript(owner):
    return make_transcript(
        completed=True,
        owner=owner,
        words=WORDS,
        text=" ".join(w["text"] for w in WORDS),
        utterances=[{"speaker": "A", "text": "Thanks for calling jango."}],
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def post_edit(client, transcript, **data):
    return client.post(
        f"/transcription/{transcript.pk}/edit/", json.dumps(data), content_type="application/json"
    )


def test_a_corrected_word_keeps_its_time_and_its_neighbours_keep_theirs(owner_client, transcript):
    response = post_edit(owner_client, transcript, start=3, end=4, text="Django.", revision=0)
    assert response.status_code == 200
    assert response.json()["words"] == [
        {"text": "Django.", "start": 1000, "end": 1600, "confidence": 1.0, "edited": True}
    ]
    transcript.refresh_from_db()
    assert [w["text"] for w in transcript.words] == ["Thanks", "for", "calling", "Django.", "Hi", "there."]
    assert transcript.words[:3] == WORDS[:3] and transcript.words[4:] == WORDS[4:]
    assert transcript.text == "Thanks for calling Django. Hi there."


def test_the_first_save_keeps_the_engines_original_as_revision_0(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    original = Revision.objects.get(transcript=transcript, number=0)
    assert original.kind == RevisionKind.ORIGINAL
    assert original.original_words == WORDS
    assert original.original_text == "Thanks for calling jango. Hi there."
    edit = Revision.objects.get(transcript=transcript, number=1)
    assert (edit.author, edit.kind, edit.summary) == (
        transcript.owner,
        RevisionKind.EDIT,
        "“jango.” → “Django.”",
    )


def test_a_save_answers_the_new_revision_and_is_audited(owner_client, transcript):
    assert post_edit(owner_client, transcript, start=3, end=4, text="Django.").json()["revision"] == 1
    assert (
        post_edit(owner_client, transcript, start=0, end=1, text="Thank you", revision=1).json()["revision"]
        == 2
    )
    details = list(AuditEvent.objects.filter(obj_kind="transcript").values_list("detail", flat=True))
    assert any("revision 2 (edit)" in d for d in details)


def test_a_turn_can_be_rewritten_and_its_start_and_end_hold(owner_client, transcript):
    post_edit(owner_client, transcript, start=0, end=4, text="Thank you for calling Django.")
    transcript.refresh_from_db()
    turn = [w for w in transcript.words if w["speaker"] == "A"]
    assert [w["text"] for w in turn] == ["Thank", "you", "for", "calling", "Django."]
    assert turn[0]["start"] == 0 and turn[-1]["end"] == 1600
    assert [w["start"] for w in transcript.words] == sorted(w["start"] for w in transcript.words)


def test_utterances_follow_the_corrected_words(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    transcript.refresh_from_db()
    assert [u["text"] for u in transcript.utterances] == ["Thanks for calling Django.", "Hi there."]


def test_the_exports_show_the_latest_revision(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    response = owner_client.get(f"/transcription/{transcript.pk}/export.srt")
    srt = b"".join(response.streaming_content).decode()
    assert "Django." in srt and "jango." not in srt.replace("Django.", "")


def test_accepting_a_word_makes_it_certain_without_changing_it(owner_client, transcript):
    response = post_edit(owner_client, transcript, action="accept", start=3, end=4)
    assert response.json()["words"][0] == {
        "text": "jango.",
        "start": 1000,
        "end": 1600,
        "confidence": 1.0,
        "accepted": True,
    }


def test_a_stale_page_is_refused_with_409_and_nothing_is_stored(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.", revision=0)
    response = post_edit(owner_client, transcript, start=0, end=1, text="Thank", revision=0)
    assert response.status_code == 409
    assert "reload the page" in response.json()["error"]
    assert Revision.objects.filter(transcript=transcript).count() == 2


@pytest.mark.parametrize(
    "body, message",
    [
        ("not json", "Send the correction as JSON"),
        (json.dumps([1]), "a JSON object"),
        (json.dumps({"start": 0, "end": 99, "text": "x"}), "outside this transcript (it has 6 words)"),
        (json.dumps({"start": "a", "end": 1, "text": "x"}), "word numbers"),
        (json.dumps({"start": 0, "end": 1, "text": 5}), "a string"),
        (json.dumps({"start": 0, "end": 1, "text": "Thanks"}), "Nothing changed"),
        (json.dumps({"action": "erase", "start": 0, "end": 1}), "no action 'erase'"),
    ],
)
def test_bad_input_answers_400_saying_what_to_fix(owner_client, transcript, body, message):
    response = owner_client.post(
        f"/transcription/{transcript.pk}/edit/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Revision.objects.exists()


def test_someone_who_may_not_see_the_transcript_gets_404(client, transcript):
    client.force_login(make_user("mallory", password="pw-mallory-123"))
    assert post_edit(client, transcript, start=3, end=4, text="x").status_code == 404


def test_a_lead_without_the_edit_permission_gets_403(client, transcript):
    client.force_login(make_user("lena", password="pw-lena-123", perms=["view_all_calls"]))
    response = post_edit(client, transcript, start=3, end=4, text="Django.")
    assert response.status_code == 403
    assert "not correct it" in response.json()["error"]


def test_someone_granted_the_edit_permission_may_correct_anyones_transcript(client, transcript):
    editor = make_user("ed", password="pw-ed-123", perms=["view_all_calls"])
    editor.user_permissions.add(Permission.objects.get(codename="change_transcript"))
    client.force_login(editor)
    assert post_edit(client, transcript, start=3, end=4, text="Django.").status_code == 200


def test_the_endpoint_needs_a_csrf_token(transcript, owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert post_edit(client, transcript, start=3, end=4, text="Django.").status_code == 403


def test_reverting_restores_the_words_and_timings_exactly(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    post_edit(owner_client, transcript, start=4, end=6, text="Hello there, friend.")
    response = owner_client.post(f"/transcription/{transcript.pk}/revert/", {"revision": "0"})
    assert response.status_code == 303
    transcript.refresh_from_db()
    assert transcript.words == WORDS
    assert transcript.text == "Thanks for calling jango. Hi there."
    assert transcript.utterances == [{"speaker": "A", "text": "Thanks for calling jango."}]
    latest = Revision.objects.filter(transcript=transcript).order_by("-number").first()
    assert (latest.number, latest.kind, latest.reverted_to) == (3, RevisionKind.REVERT, 0)


def test_reverting_to_a_middle_revision_keeps_that_revisions_words(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    transcript.refresh_from_db()
    after_first = transcript.words
    post_edit(owner_client, transcript, start=4, end=6, text="Hello there, friend.")
    owner_client.post(f"/transcription/{transcript.pk}/revert/", {"revision": "1"})
    transcript.refresh_from_db()
    assert transcript.words == after_first
    assert words_at(transcript, 0) == WORDS


def test_a_revert_to_a_revision_that_does_not_exist_says_so(owner, transcript):
    with pytest.raises(EditError, match="no revision 7"):
        transcript_revert(transcript_pk=transcript.pk, user=owner, number=7)


def test_the_revised_signal_is_sent_on_commit(owner, transcript, django_capture_on_commit_callbacks):
    received = []
    handler = lambda sender, transcript, revision, **kw: received.append((transcript.pk, revision.number))  # noqa: E731
    transcript_revised.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            transcript_correct(transcript_pk=transcript.pk, user=owner, start=3, end=4, text="Django.")
    finally:
        transcript_revised.disconnect(handler)
    assert received == [(transcript.pk, 1)]


def test_merging_a_speaker_gives_all_their_words_to_the_other(owner_client, transcript):
    Participant.objects.create(transcript=transcript, key="B", name="Bea")
    response = owner_client.post(
        f"/transcription/{transcript.pk}/participants/merge/", {"source": "B", "into": "A"}
    )
    assert response.status_code == 303
    transcript.refresh_from_db()
    assert {w["speaker"] for w in transcript.words} == {"A"}
    assert not Participant.objects.filter(transcript=transcript, key="B").exists()
    assert Revision.objects.get(transcript=transcript, number=1).kind == RevisionKind.SPEAKERS


def test_merging_a_participant_the_transcript_does_not_have_changes_nothing(owner_client, transcript):
    owner_client.post(f"/transcription/{transcript.pk}/participants/merge/", {"source": "Z", "into": "A"})
    assert not Revision.objects.exists()


def test_the_revisions_page_shows_each_change_and_the_original(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    page = owner_client.get(f"/transcription/{transcript.pk}/revisions/").content.decode()
    assert "<del>jango.</del>" in page and "<ins>Django.</ins>" in page
    assert "Revert to revision 0" in page
    assert "Thanks for calling jango. Hi there." in page


def test_words_stored_out_of_time_order_are_edited_in_time_order(owner_client, owner):
    shuffled = [WORDS[4], *WORDS[:4], WORDS[5]]
    t = make_transcript(completed=True, owner=owner, words=shuffled, text="x")
    post_edit(owner_client, t, start=3, end=4, text="Django.")
    t.refresh_from_db()
    assert [w["text"] for w in t.words] == ["Thanks", "for", "calling", "Django.", "Hi", "there."]
    assert exports.timed_words(
        Revision.objects.get(transcript=t, number=0).original_words
    ) == exports.timed_words(shuffled)


def test_a_transcript_not_yet_completed_cannot_be_corrected(owner_client, owner):
    t = make_transcript(owner=owner)
    response = post_edit(owner_client, t, start=0, end=0, text="x")
    assert response.status_code == 400
    assert "completed" in response.json()["error"]
    assert Transcript.objects.get(pk=t.pk).words == []


def test_the_revisions_page_still_opens_when_the_words_changed_outside_the_editor(owner_client, transcript):
    post_edit(owner_client, transcript, start=3, end=4, text="Django.")
    Transcript.objects.filter(pk=transcript.pk).update(words=WORDS[:2])
    response = owner_client.get(f"/transcription/{transcript.pk}/revisions/")
    assert response.status_code == 200
    assert "The diff from the original cannot be shown" in response.content.decode()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_saved_correction_keeps_times_in_order_and_its_revert_restores_every_word(
    owner, transcript, data
):
    Revision.objects.filter(transcript=transcript).delete()
    Transcript.objects.filter(pk=transcript.pk).update(words=WORDS, text="x", utterances=[])
    start = data.draw(st.integers(0, len(WORDS)), label="start")
    end = data.draw(st.integers(start, len(WORDS)), label="end")
    tokens = data.draw(st.lists(st.sampled_from(["Django.", "Thanks", "for", "hi", "—", "x"]), max_size=6))
    try:
        transcript_correct(
            transcript_pk=transcript.pk, user=owner, start=start, end=end, text=" ".join(tokens)
        )
    except EditError:
        assume(False)  # the text was what was there already: nothing to save
    saved = Transcript.objects.get(pk=transcript.pk).words
    assert [w["start"] for w in saved] == sorted(w["start"] for w in saved)
    assert saved[:start] == WORDS[:start] and saved[len(saved) - (len(WORDS) - end) :] == WORDS[end:]
    transcript_revert(transcript_pk=transcript.pk, user=owner, number=0)
    assert Transcript.objects.get(pk=transcript.pk).words == WORDS


def test_two_voices_starting_at_the_same_moment_are_shown_and_corrected_in_stored_order(owner_client, owner):
    # Overlapping channels: "alpha" (channel 1) and "beta" (channel 2) start at the same millisecond,
    # beta ending first. The page must show word N where the editor's word N is.
    words = [
        {"text": "Hello", "start": 0, "end": 400, "confidence": 0.9, "channel": "1"},
        {"text": "alpha", "start": 8000, "end": 8500, "confidence": 0.9, "channel": "1"},
        {"text": "beta", "start": 8000, "end": 8200, "confidence": 0.9, "channel": "2"},
    ]
    t = make_transcript(completed=True, owner=owner, words=words, text="Hello alpha beta")
    page = owner_client.get(f"/transcription/{t.pk}/").content.decode()
    assert page.index("alpha") < page.index("beta")
    assert post_edit(owner_client, t, start=2, end=3, text="gamma").status_code == 200
    t.refresh_from_db()
    assert [(w["text"], w["start"], w["end"]) for w in t.words] == [
        ("Hello", 0, 400),
        ("alpha", 8000, 8500),
        ("gamma", 8000, 8200),
    ]
    page = owner_client.get(f"/transcription/{t.pk}/").content.decode()
    assert page.index("alpha") < page.index("gamma")
