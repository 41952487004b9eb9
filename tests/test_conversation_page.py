"""The transcript page of a conversation: named turns, overlaps, talk statistics, renaming people."""

import json

import pytest
from django.test import Client

from tests.factories import make_transcript, make_user
from transcription.models import Participant

pytestmark = pytest.mark.django_db


def w(text, start, end, channel=None, speaker=None, confidence=0.95):
    return {
        "text": text,
        "start": start,
        "end": end,
        "confidence": confidence,
        "channel": channel,
        "speaker": speaker,
    }


# Channel 1 talks, then talks over channel 2's answer, then speaks again after a pause.
WORDS = [
    w("Hello", 0, 400, "1"),
    w("there.", 450, 900, "1"),
    w("Hi", 1000, 1300, "2"),
    w("Ada,", 1350, 1700, "2"),
    w("sorry", 1500, 1800, "1", confidence=0.3),
    w("go", 1850, 2000, "1"),
    w("on.", 2050, 2300, "1"),
    w("Fine.", 5000, 5400, "2"),
]


@pytest.fixture
def owner(db):
    return make_user("ada", password="pw-ada-12345")


@pytest.fixture
def conversation(owner):
    transcript = make_transcript(completed=True, owner=owner, words=WORDS, audio_duration=6.0)
    Participant.objects.create(transcript=transcript, key="1", name="Ada Lovelace")
    return transcript


def page(client, transcript) -> str:
    return client.get(f"/transcription/{transcript.pk}/").content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def labels(html: str) -> list[str]:
    return [part.split("</span>")[0] for part in html.split('<span class="who">')[1:]]


def test_each_turn_is_labelled_with_its_participants_name_or_the_default(owner, conversation):
    html = page(signed_in(owner), conversation)
    assert labels(html) == ["Ada Lovelace", "Channel 2", "Ada Lovelace", "Channel 2"]


def test_overlapping_speech_is_marked_on_both_turns(owner, conversation):
    html = page(signed_in(owner), conversation)
    assert html.count('class="overlap"') == 2
    assert "overlaps Channel 2" in html and "overlaps Ada Lovelace" in html


def test_words_keep_their_times_for_the_player_and_doubtful_words_are_counted(owner, conversation):
    html = page(signed_in(owner), conversation)
    assert '<p data-w="1000,300 350,350">Hi Ada,</p>' in html
    assert "Next doubtful word (1)" in html


def test_a_long_monologue_cut_into_paragraphs_is_labelled_once(owner):
    sentence = [w(f"word{i}.", i * 5000, i * 5000 + 400, "1") for i in range(12)]
    transcript = make_transcript(completed=True, owner=owner, words=sentence)
    html = page(signed_in(owner), transcript)
    assert html.count('class="para turn') == 2  # a paragraph break after 45 s
    assert labels(html) == ["Channel 1"]


def test_a_mono_transcript_of_one_voice_renders_as_paragraphs_without_labels(owner):
    transcript = make_transcript(completed=True, owner=owner)
    html = page(signed_in(owner), transcript)
    assert 'class="para"' in html and "turn" not in html.split('id="transcript"')[1].split("</section>")[0]
    assert labels(html) == []
    assert 'id="talk-stats"' not in html and 'id="participants"' not in html


def test_talk_statistics_show_each_participants_share(owner, conversation):
    html = page(signed_in(owner), conversation)
    stats = html.split('id="talk-stats"')[1]
    assert '<th scope="row">Ada Lovelace</th>' in stats and '<th scope="row">Channel 2</th>' in stats
    assert "1 interruption" in stats


def test_the_owner_renames_participants_with_a_form_and_sees_the_names_everywhere(owner, conversation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    html = page(client, conversation)
    assert 'name="name-2"' in html and 'name="csrfmiddlewaretoken"' in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        f"/transcription/{conversation.pk}/participants/",
        {"name-1": "Ada", "name-2": "  Maya   Chen ", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 303
    assert response["Location"] == f"/transcription/{conversation.pk}/#participants"
    assert labels(page(client, conversation)) == ["Ada", "Maya Chen", "Ada", "Maya Chen"]
    txt = client.get(f"/transcription/{conversation.pk}/export.txt").getvalue().decode()
    assert txt.startswith("Ada (0:00): Hello there.\nMaya Chen (0:01): Hi Ada,\n")


def test_a_rename_is_written_to_the_audit_trail_and_a_refused_one_is_not(owner, conversation):
    from audit.models import AuditEvent

    client = Client()
    client.force_login(owner)
    url = f"/transcription/{conversation.pk}/participants/"
    client.post(url, {"name-9": "Nobody"})
    assert not AuditEvent.objects.filter(action="edited").exists()
    client.post(url, {"name-2": "Maya Chen"})
    event = AuditEvent.objects.get(action="edited")
    assert (event.obj_kind, event.obj_id, event.username) == (
        "transcript",
        str(conversation.pk),
        owner.username,
    )
    assert "2=Maya Chen" in event.detail


def test_a_rename_without_the_csrf_token_is_refused(owner, conversation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/transcription/{conversation.pk}/participants/", {"name-2": "Eve"})
    assert response.status_code == 403
    assert not Participant.objects.filter(key="2").exists()


def test_an_empty_name_brings_back_the_default(owner, conversation):
    signed_in(owner).post(f"/transcription/{conversation.pk}/participants/", {"name-1": " "})
    assert labels(page(signed_in(owner), conversation))[0] == "Channel 1"


def test_a_rename_of_a_voice_the_transcript_does_not_have_changes_nothing(owner, conversation):
    client = signed_in(owner)
    response = client.post(
        f"/transcription/{conversation.pk}/participants/", {"name-2": "Maya", "name-9": "Nobody"}, follow=True
    )
    assert "has no participant &#x27;9&#x27;" in response.content.decode()
    assert list(Participant.objects.values_list("key", "name")) == [("1", "Ada Lovelace")]


def test_someone_else_gets_404_and_renames_nothing(conversation):
    stranger = make_user("eve", password="pw-eve-12345")
    response = signed_in(stranger).post(f"/transcription/{conversation.pk}/participants/", {"name-1": "Eve"})
    assert response.status_code == 404
    assert Participant.objects.get(key="1").name == "Ada Lovelace"


def test_a_lead_may_rename(conversation):
    lead = make_user("lead", perms=["view_all_calls"])
    signed_in(lead).post(f"/transcription/{conversation.pk}/participants/", {"name-2": "Maya"})
    assert Participant.objects.get(key="2").name == "Maya"


def test_the_rename_form_is_post_only(owner, conversation):
    assert signed_in(owner).get(f"/transcription/{conversation.pk}/participants/").status_code == 405


def test_the_json_export_names_each_words_participant_and_carries_talk_statistics(owner, conversation):
    data = json.loads(signed_in(owner).get(f"/transcription/{conversation.pk}/export.json").getvalue())
    assert data["participants"] == [{"key": "1", "name": "Ada Lovelace"}, {"key": "2", "name": "Channel 2"}]
    assert [word["participant_name"] for word in data["words"][:3]] == [
        "Ada Lovelace",
        "Ada Lovelace",
        "Channel 2",
    ]
    stats = data["talk_stats"]
    assert stats["overlaps"] == 1
    assert stats["duration_s"] == 6.0
    assert stats["silence_s"] + stats["speech_s"] == pytest.approx(6.0)


def test_the_call_page_shows_each_participants_share_of_the_talk(owner):
    from tests.factories import make_call, make_recording

    call = make_call(owner=owner, dialed_by=owner, status="completed")
    recording = make_recording(call, owner=owner, channels=2, source="DialVerb")
    transcript = make_transcript(
        completed=True, owner=owner, words=WORDS, audio_duration=6.0, recording_sid=recording.sid
    )
    Participant.objects.create(transcript=transcript, key="1", name="Ada Lovelace")
    html = signed_in(owner).get(call.get_absolute_url()).content.decode()
    talk = html.split('class="small talk"')[1].split("</p>")[0]
    assert "Ada Lovelace 68%" in talk and "Channel 2 32%" in talk
    assert "1 interruption" in talk


def test_the_admin_shows_and_edits_the_participants_of_a_transcript(admin_client_logged, conversation):
    html = admin_client_logged.get(
        f"/admin/transcription/transcript/{conversation.pk}/change/"
    ).content.decode()
    assert 'name="participants-0-name"' in html and 'value="Ada Lovelace"' in html


def test_words_stored_out_of_time_order_read_as_turns_and_figures_in_time_order():
    from transcription.reading import transcript_body

    ordered = [
        w("Hello", 0, 400, channel="1"),
        w("there.", 450, 900, channel="1"),
        w("Hi,", 1000, 1300, channel="2"),
        w("you.", 1350, 1700, channel="2"),
        w("Bye.", 5000, 5600, channel="1"),
    ]
    owner = make_user("reader")
    stored = [ordered[3], ordered[0], ordered[4], ordered[2], ordered[1]]
    sorted_body = transcript_body(make_transcript(completed=True, owner=owner, words=ordered), low=0.5)
    shuffled_body = transcript_body(make_transcript(completed=True, owner=owner, words=stored), low=0.5)
    said = [(turn.participant, [word["text"] for word in turn.words]) for turn in shuffled_body["turns"]]
    assert said == [("1", ["Hello", "there."]), ("2", ["Hi,", "you."]), ("1", ["Bye."])]
    assert shuffled_body["stats"] == sorted_body["stats"]
    assert shuffled_body["blocks_html"] == sorted_body["blocks_html"]
