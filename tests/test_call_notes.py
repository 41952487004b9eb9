"""Call notes on the call page: who reads them, who changes them, what is refused, what is recorded."""

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditEvent
from caller.models import NOTES_MAX_CHARS, Call
from djtranscribe import access
from tests.api_helpers import api_client
from tests.factories import make_call, make_transcript, make_user

pytestmark = pytest.mark.django_db

SID = "CA" + "d" * 32
URL = f"/calls/{SID}/"
NOTES_URL = f"/calls/{SID}/notes/"


@pytest.fixture
def owner():
    return make_user("olga")


@pytest.fixture
def call(owner):
    return make_call(sid=SID, owner=owner, dialed_by=owner, notes="Wants a quote by Friday.")


def signed_in(client, user):
    client.force_login(user)
    return client


def lead():
    user = make_user("lena")
    user.groups.add(Group.objects.get(name=access.LEADS_GROUP))
    return user


def test_the_owner_sees_the_notes_in_a_form(client, owner, call):
    html = signed_in(client, owner).get(URL).content.decode()
    assert f'action="{NOTES_URL}"' in html
    assert "Wants a quote by Friday.</textarea>" in html


def test_the_owner_saves_notes_and_is_told_so(client, owner, call):
    response = signed_in(client, owner).post(NOTES_URL, {"notes": "Called back: quote sent."}, follow=True)
    assert response.redirect_chain[-1] == (URL + "#notes", 302)
    assert "Notes saved" in response.content.decode()
    call.refresh_from_db()
    assert call.notes == "Called back: quote sent."


def test_saving_notes_records_an_audit_event_without_the_notes(client, owner, call):
    signed_in(client, owner).post(NOTES_URL, {"notes": "private words"})
    event = AuditEvent.objects.get(obj_kind="call", obj_id=SID, action="edited")
    assert event.username == "olga"
    assert "private" not in event.detail
    assert event.detail == "notes changed (13 characters)"


def test_saving_the_same_notes_records_nothing(client, owner, call):
    response = signed_in(client, owner).post(NOTES_URL, {"notes": call.notes}, follow=True)
    assert "already saved" in response.content.decode()
    assert not AuditEvent.objects.filter(action="edited").exists()


def test_a_browsers_line_breaks_are_stored_once_and_counted_once(client, owner, call):
    typed = "\r\n".join(["x" * 99] * 50)  # 4,950 characters and 49 line breaks: 5,048 as sent
    response = signed_in(client, owner).post(NOTES_URL, {"notes": typed})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.notes == typed.replace("\r\n", "\n")


def test_notes_too_long_are_refused_with_a_message_and_kept_for_fixing(client, owner, call):
    typed = "a" * (NOTES_MAX_CHARS + 1)
    response = signed_in(client, owner).post(NOTES_URL, {"notes": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The notes are 5,001 characters long: shorten them to at most {NOTES_MAX_CHARS:,}." in html
    assert typed in html
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


def test_emoji_count_as_the_pages_textarea_counts_them_so_saved_notes_stay_editable(client, owner, call):
    # The browser's maxlength counts UTF-16 units: 2,501 emoji are 5,002 there, over the limit.
    response = signed_in(client, owner).post(NOTES_URL, {"notes": "\N{GRINNING FACE}" * 2501})
    assert response.status_code == 400
    assert "The notes are 5,002 characters long (an emoji counts as two)" in response.content.decode()
    assert signed_in(client, owner).post(NOTES_URL, {"notes": "\N{GRINNING FACE}" * 2500}).status_code == 302


def test_a_nul_character_is_refused_with_a_message(client, owner, call):
    response = signed_in(client, owner).post(NOTES_URL, {"notes": "bad \x00 byte"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


def test_a_lead_reads_the_notes_without_a_form(client, call):
    html = signed_in(client, lead()).get(URL).content.decode()
    assert "Wants a quote by Friday." in html
    assert NOTES_URL not in html
    assert "<textarea" not in html


def test_a_lead_may_not_change_the_notes(client, call):
    response = signed_in(client, lead()).post(NOTES_URL, {"notes": "overwritten"})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


def test_someone_allowed_to_change_calls_may_change_the_notes(client, call):
    editor = make_user("eddie", perms=["view_all_calls", "change_call"])
    assert signed_in(client, editor).post(NOTES_URL, {"notes": "fixed a typo"}).status_code == 302
    call.refresh_from_db()
    assert call.notes == "fixed a typo"


def test_another_user_gets_404_for_the_notes_and_the_page(client, call):
    other = signed_in(client, make_user("bob"))
    assert other.get(URL).status_code == 404
    assert other.post(NOTES_URL, {"notes": "mine now"}).status_code == 404
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


def test_the_notes_form_needs_no_script_and_no_inline_style(client, owner, call):
    html = signed_in(client, owner).get(URL).content.decode()
    form = html[html.index('<section class="card" id="notes"') :]
    form = form[: form.index("</section>")]
    assert "<script" not in form and "style=" not in form and " on" + "submit" not in form
    assert 'name="csrfmiddlewaretoken"' in form


def test_edited_notes_are_found_by_the_transcripts_search_and_the_old_words_are_not(client, owner, call):
    transcript = make_transcript(status="completed", text="Hello there.", call_sid=SID, owner=owner)
    browser = signed_in(client, owner)
    browser.post(NOTES_URL, {"notes": "Asked about the Müller account."})
    found = browser.get("/transcription/", {"q": "MÜLLER"})
    assert [row["transcript"].pk for row in found.context["rows"]] == [transcript.pk]
    assert browser.get("/transcription/", {"q": "quote"}).context["rows"] == []


def test_a_hit_in_the_notes_says_so_and_links_to_them(client, owner, call):
    make_transcript(status="completed", text="Hello there.", call_sid=SID, owner=owner)
    html = signed_in(client, owner).get("/transcription/", {"q": "quote"}).content.decode()
    assert '<span class="label">Notes:</span> Wants a <mark>quote</mark> by Friday.' in html


def test_the_transcript_page_shows_its_calls_notes(client, owner, call):
    transcript = make_transcript(status="completed", text="Hello there.", call_sid=SID, owner=owner)
    html = signed_in(client, owner).get(transcript.get_absolute_url()).content.decode()
    assert "Wants a quote by Friday." in html


def test_notes_changed_elsewhere_are_not_overwritten_by_an_unchanged_save(client, owner, call):
    Call.objects.filter(pk=call.pk).update(notes="changed in the admin")
    signed_in(client, owner).post(NOTES_URL, {"notes": "changed in the admin"})
    assert not AuditEvent.objects.filter(action="edited").exists()


# -- the API: the same notes, the same rules ---------------------------------------------------------


def test_the_api_shows_a_calls_notes(owner, call):
    assert api_client(owner).get(f"/api/v1/calls/{SID}/").json()["notes"] == "Wants a quote by Friday."


def test_the_api_changes_the_notes_for_the_owner_and_audits_it(owner, call):
    response = api_client(owner).patch(
        f"/api/v1/calls/{SID}/", {"notes": "Quote sent."}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["notes"] == "Quote sent."
    call.refresh_from_db()
    assert call.notes == "Quote sent."
    assert AuditEvent.objects.get(obj_id=SID, action="edited").detail == "notes changed via api"


def test_the_api_refuses_notes_too_long_with_a_problem_saying_what_to_fix(owner, call):
    response = api_client(owner).patch(
        f"/api/v1/calls/{SID}/", {"notes": "a" * (NOTES_MAX_CHARS + 1)}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "shorten them to at most 5,000" in response.content.decode()
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


@pytest.mark.parametrize("bad", ['"a\\u0000b"', '"a\\ud800b"'])
def test_the_api_refuses_characters_no_database_stores(owner, call, bad):
    response = api_client(owner).patch(
        f"/api/v1/calls/{SID}/", '{"notes": ' + bad + "}", content_type="application/json"
    )
    assert response.status_code == 400
    call.refresh_from_db()
    assert call.notes == "Wants a quote by Friday."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"notes": 123}, "notes", "Send the notes as a string"),
        ({"notes": ["a"]}, "notes", "Not a valid string"),
        ({"notes": "x", "status": "failed"}, "status", "Only a call's notes can be changed"),
    ],
)
def test_the_api_refuses_what_it_would_otherwise_coerce_or_ignore(owner, call, body, field, message):
    response = api_client(owner).patch(f"/api/v1/calls/{SID}/", body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.content.decode() and field in response.content.decode()
    call.refresh_from_db()
    assert (call.notes, call.status) == ("Wants a quote by Friday.", "queued")


def test_the_api_lets_a_lead_read_but_not_change_the_notes(call):
    client = api_client(lead())
    assert client.get(f"/api/v1/calls/{SID}/").json()["notes"] == "Wants a quote by Friday."
    response = client.patch(f"/api/v1/calls/{SID}/", {"notes": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_the_api_answers_404_for_another_users_call(call):
    response = api_client(make_user("bob")).patch(
        f"/api/v1/calls/{SID}/", {"notes": "x"}, content_type="application/json"
    )
    assert response.status_code == 404


# -- the admin ------------------------------------------------------------------------------------


def test_the_admin_finds_a_call_by_a_word_of_its_notes(admin_client, call):
    response = admin_client.get("/admin/caller/call/", {"q": "quote"})
    assert list(response.context["cl"].result_list) == [call]


def test_the_admin_saves_notes_checked_as_the_page_checks_them_and_audits_it(admin_client, call):
    url = f"/admin/caller/call/{call.pk}/change/"
    refused = admin_client.post(url, {"notes": "a" * (NOTES_MAX_CHARS + 1), **EMPTY_INLINES})
    assert "shorten them to at most 5,000" in refused.content.decode()
    assert admin_client.post(url, {"notes": "From the admin.", **EMPTY_INLINES}).status_code == 302
    call.refresh_from_db()
    assert call.notes == "From the admin."
    assert AuditEvent.objects.filter(obj_kind="call", obj_id=SID, action="edited").exists()


# The management forms of the call page's inlines (consents, recordings), empty.
EMPTY_INLINES = {
    f"{prefix}-{name}": value
    for prefix in ("consents", "recordings")
    for name, value in (
        ("TOTAL_FORMS", "0"),
        ("INITIAL_FORMS", "0"),
        ("MIN_NUM_FORMS", "0"),
        ("MAX_NUM_FORMS", "0"),
    )
}
