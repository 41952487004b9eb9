"""Reviewed transcripts, the engine's accuracy measured against them, and key terms."""

import pytest
from django.test import override_settings

from tests.factories import make_transcript, make_user
from transcription.keyterms import KeyTermError, keyterm_add, keyterms_current
from transcription.models import KeyTerm, Review
from transcription.revising.review import transcript_review
from transcription.revising.services import transcript_correct

pytestmark = pytest.mark.django_db


def words(text, speaker="A", start=0):
    return [
        {
            "text": t,
            "start": start + 500 * k,
            "end": start + 500 * k + 400,
            "confidence": 0.9,
            "speaker": speaker,
        }
        for k, t in enumerate(text.split())
    ]


@pytest.fixture
def owner(db):
    return make_user("olga", password="pw-olga-123")


@pytest.fixture
def transcript(owner):
    # Ten words; the engine got "jango" and "sequel" wrong (2 substitutions) and missed nothing.
    engine = words("we deploy jango with post gres and sequel light today")
    return make_transcript(
        completed=True, owner=owner, words=engine, text="x", speech_model_used="universal-3-pro", keyterms=[]
    )


def correct(transcript, owner, start, end, text):
    transcript_correct(transcript_pk=transcript.pk, user=owner, start=start, end=end, text=text)
    transcript.refresh_from_db()


def test_marking_reviewed_counts_substitutions_deletions_and_insertions_by_hand(transcript, owner):
    correct(transcript, owner, 2, 3, "Django")  # substitution
    correct(transcript, owner, 4, 6, "Postgres")  # "post gres" → one word: 1 substitution + 1 insertion
    correct(transcript, owner, 7, 8, "")  # "sequel" dropped by the reviewer: an insertion by the engine
    review = transcript_review(transcript=transcript, user=owner, reviewed=True)
    # Reviewed: "we deploy Django with Postgres and light today" (8 words).
    # Engine:   "we deploy jango with post gres and sequel light today" (10 words).
    # S=2 (jango→django, post→postgres), I=2 (gres, sequel), D=0: WER = 4 / 8.
    assert review.accuracy["substitutions"] == 2
    assert review.accuracy["insertions"] == 2
    assert review.accuracy["deletions"] == 0
    assert review.accuracy["reference_words"] == 8
    assert review.accuracy["wer"] == pytest.approx(0.5)
    assert ["jango", "django", 1] in review.corrections


def test_a_transcript_nobody_corrected_scores_zero(transcript, owner):
    review = transcript_review(transcript=transcript, user=owner, reviewed=True)
    assert review.accuracy["wer"] == 0.0
    assert review.revision == 0


def test_each_participant_is_measured_on_their_own_words(owner):
    t = make_transcript(
        completed=True,
        owner=owner,
        words=words("hello there", "A") + words("hi bob", "B", start=5000),
        text="x",
    )
    correct(t, owner, 3, 4, "Rob")
    review = transcript_review(transcript=t, user=owner, reviewed=True)
    assert review.by_participant["A"]["wer"] == 0.0
    assert review.by_participant["B"]["wer"] == pytest.approx(0.5)


def test_the_review_mark_can_be_taken_away(transcript, owner):
    transcript_review(transcript=transcript, user=owner, reviewed=True)
    transcript_review(transcript=transcript, user=owner, reviewed=False)
    assert not Review.objects.exists()


def test_the_review_endpoint_marks_and_says_the_rate(client, transcript, owner):
    client.force_login(owner)
    response = client.post(f"/transcription/{transcript.pk}/reviewed/", follow=True)
    assert "Marked reviewed. The engine&#x27;s word error rate was 0.0%" in response.content.decode()
    assert Review.objects.get(transcript=transcript).reviewed_by == owner


def test_the_transcript_list_shows_and_filters_reviewed_transcripts(client, transcript, owner):
    other = make_transcript(completed=True, owner=owner, words=words("plain"), text="plain")
    transcript_review(transcript=transcript, user=owner, reviewed=True)
    client.force_login(owner)
    page = client.get("/transcription/?reviewed=yes").content.decode()
    assert f'data-transcript="{transcript.pk}"' in page and f'data-transcript="{other.pk}"' not in page
    assert "reviewed-badge" in page
    page = client.get("/transcription/?reviewed=no").content.decode()
    assert f'data-transcript="{transcript.pk}"' not in page and f'data-transcript="{other.pk}"' in page
    assert client.get("/transcription/?reviewed=maybe").status_code == 400


def test_the_accuracy_page_groups_by_model_and_key_terms_and_lists_corrections(client, transcript, owner):
    correct(transcript, owner, 2, 3, "Django")
    transcript_review(transcript=transcript, user=owner, reviewed=True)
    client.force_login(owner)
    page = client.get("/transcription/accuracy/").content.decode()
    assert "10.0% word error rate over 1 reviewed transcript" in page
    assert "universal-3-pro" in page and "without key terms" in page
    assert '<td>jango</td><th scope="row">django</th>' in page


def test_the_accuracy_page_counts_only_transcripts_the_user_may_see(client, transcript, owner):
    correct(transcript, owner, 2, 3, "Django")
    transcript_review(transcript=transcript, user=owner, reviewed=True)
    client.force_login(make_user("mallory", password="pw-mallory-123"))
    page = client.get("/transcription/accuracy/").content.decode()
    assert "No transcript you may see is marked reviewed yet" in page and "jango" not in page


def test_a_lead_turns_a_corrected_word_into_a_key_term_in_one_click(client, transcript, owner):
    correct(transcript, owner, 2, 3, "Django")
    transcript_review(transcript=transcript, user=owner, reviewed=True)
    client.force_login(make_user("lena", password="pw-lena-123", perms=["view_all_calls"]))
    page = client.get("/transcription/accuracy/").content.decode()
    assert "Make “django” a key term" in page
    response = client.post("/transcription/keyterms/", {"text": "django", "next": "accuracy"})
    assert response.status_code == 303 and response["Location"] == "/transcription/accuracy/"
    assert list(KeyTerm.objects.values_list("text", flat=True)) == ["django"]
    assert "is a key term" in client.get("/transcription/accuracy/").content.decode()


def test_only_a_lead_may_change_key_terms(client, owner):
    client.force_login(owner)
    assert client.post("/transcription/keyterms/", {"text": "Django"}).status_code == 403
    assert not KeyTerm.objects.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type a word"),
        ("x" * 51, "at most 50 characters"),
        ("one two three four five six seven", "at most 6 words"),
    ],
)
def test_a_key_term_assemblyai_would_refuse_is_not_stored(owner, text, message):
    with pytest.raises(KeyTermError, match=message):
        keyterm_add(text=text, user=owner)


@override_settings(TRANSCRIPTION_KEYTERMS=["Twilio", "Django"])
def test_submissions_send_the_settings_key_terms_then_the_apps_each_once(owner):
    keyterm_add(text="AssemblyAI", user=owner)
    with pytest.raises(KeyTermError, match="already"):
        keyterm_add(text="django", user=owner)
    assert keyterms_current() == ["Twilio", "Django", "AssemblyAI"]


def test_a_lead_removes_a_key_term_added_in_the_app(client, owner):
    keyterm_add(text="Postgres", user=owner)
    client.force_login(make_user("lena", password="pw-lena-123", perms=["view_all_calls"]))
    client.post("/transcription/keyterms/", {"remove": "Postgres"})
    assert not KeyTerm.objects.exists()


def test_the_transcript_page_shows_each_participants_rate_by_name(client, owner):
    from transcription.models import Participant

    t = make_transcript(
        completed=True,
        owner=owner,
        words=words("hello there", "A") + words("hi bob", "B", start=5000),
        text="x",
    )
    Participant.objects.create(transcript=t, key="B", name="Maya")
    correct(t, owner, 3, 4, "Rob")
    transcript_review(transcript=t, user=owner, reviewed=True)
    client.force_login(owner)
    page = client.get(f"/transcription/{t.pk}/").content.decode()
    assert "by participant: Speaker A 0.0%, Maya 50.0%" in page
