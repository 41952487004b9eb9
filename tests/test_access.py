"""Who may see what, for every URL the project has.

The URLconf is walked (not a hand-kept list of URLs): each pattern's path parameters are filled with
user A's objects, and then anonymous users are sent to sign in (webhooks refuse them and store
nothing), user B gets 404 for A's objects and never sees them in a list, and a lead gets the page.
A URL added later with a parameter this file cannot fill fails loudly; one that forgets the access
check fails because B gets the page.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

import samples
from api.tokens import token_create
from caller.audio import recording_asset
from caller.models import Call, Recording
from djtranscribe import access
from notify.events import endpoint_test_event
from notify.models import Delivery as NotifyDelivery
from notify.models import Endpoint
from sharing.models import ShareLink
from sharing.services import token_hash
from transcription.models import Transcript, TranscriptStatus, WebhookDelivery
from transcription.sample_calls import sample_load

pytestmark = pytest.mark.django_db

ACCOUNT = "AC" + "a" * 32
CALL_SID = "CA" + "a1" * 16
RECORDING_SID = "RE" + "a2" * 16
NUMBER = "+14155550101"
SECRET_WORD = "zebrafinch"  # only in A's transcript
JOB_ID = "job-of-user-a-0001"
ENDPOINT_NOTE = "kingfisher receiver"  # A's webhook endpoint's description
# What B must never read anywhere: in a page, a JSON answer, an export or a redirect's Location.
MARKERS = (CALL_SID, RECORDING_SID, NUMBER, SECRET_WORD, JOB_ID, ENDPOINT_NOTE)

# Pages anybody may request: login, and the endpoints Twilio and AssemblyAI call (they prove who
# they are by a signature or a secret header, checked below). Adding one here is a decision.
PUBLIC = {
    "login",
    "record-twiml",
    "record-action",
    "call-status",
    "recording-status",
    # Two-party and inbound calls (caller/voice.py).
    "inbound-voice",
    "connect-twiml",
    "parent-consent",
    "whisper",
    "whisper-consent",
    "dial-action",
}
PUBLIC_WEBHOOKS = PUBLIC - {"login"} | {"transcription:assemblyai-webhook"}
# What a share link opens without signing in: holding a live link is the permission (test_sharing.py).
SHARE_LINK_ROUTES = {"share", "share-audio", "share-export"}
# Forms that need a choice to succeed, and what their success answers.
POST_DATA = {"share-create": {"lifetime": "1d", "include_audio": "on"}}
OK = {"share-create": 201, "share-revoke": 302, "transcription:participants": 303}
# The REST API (api/): authenticated by a personal token, read by DRF after the sign-in middleware, so
# these skip the sign-in redirect and answer 401 (problem details) to a request without a token.
TOKEN_ROUTES = {
    "api:schema",
    "api:call-list",
    "api:call-detail",
    "api:recording-list",
    "api:recording-detail",
    "api:transcript-list",
    "api:transcript-detail",
    "api:transcript-export",
    "api:transcript-revisions",
    "api:webhook-endpoint-list",
    "api:webhook-endpoint-detail",
    "api:webhook-endpoint-test",
    "api:webhook-delivery-list",
    "api:webhook-delivery-replay",
}
OK["api-token-revoke"] = 302
# Routes filled with A's sample call (its archived audio) rather than her call's transcript.
SAMPLE_ROUTES = {"transcription:audio"}
# POST-only actions that change something, then redirect those allowed to a page.
OK.update({"transcription:load-samples": 302, "transcription:delete-sample": 302, "transcription:retry": 302})
# Corrections: an empty POST tells the owner what to send (or does it and redirects); a lead sees
# every transcript but corrects only with transcription.change_transcript, which the Leads group lacks.
OK.update(
    {
        "transcription:edit": 400,
        "transcription:revert": 303,
        "transcription:merge": 303,
        "transcription:reviewed": 303,
    }
)
LEAD_OK = {
    "transcription:edit": 403,
    "transcription:revert": 403,
    "transcription:merge": 403,
    "transcription:reviewed": 403,
}
OK.update({"notify:test": 302, "notify:replay": 302})
# Marking a call sensitive redirects back to it (A's has a transcript: refused with a message there).
OK["call-sensitive"] = 302
# Saving a call's notes redirects back to it; a lead reads them but changes them only with
# caller.change_call, which the Leads group lacks.
OK["call-notes"] = 302
LEAD_OK["call-notes"] = 403
# The unredacted original is 404 to anyone without audio.play_unredacted, owner and lead alike
# (and A's transcript keeps none): test_the_unredacted_original_plays_only_with_its_permission.
OK["transcription:unredacted-audio"] = 404
# Pages only an object's owner opens, a lead too getting 404: a webhook endpoint's show its secret.
OWNER_ONLY = {"notify:endpoint", "notify:edit", "notify:test", "notify:replay", "notify:delete"}
# A user's own API tokens: not even a lead may revoke another's (404).
OWNER_ONLY |= {"api-token-revoke"}
# The same endpoints through the API (a POST to test or replay queues a delivery: 202).
OWNER_ONLY |= {
    "api:webhook-endpoint-detail",
    "api:webhook-endpoint-test",
    "api:webhook-delivery-list",
    "api:webhook-delivery-replay",
}
OK.update({"api:webhook-endpoint-test": 202, "api:webhook-delivery-replay": 202})


@dataclass
class World:
    a: object
    b: object
    lead: object
    call: Call
    recording: Recording
    transcript: Transcript
    delivery: WebhookDelivery
    leads: Group
    share: ShareLink
    share_token: str
    sample: Transcript
    endpoint: Endpoint
    notify_delivery: NotifyDelivery
    spare_token: object  # one of A's API tokens, for the revoke page (her own stays usable)


@pytest.fixture
def world(django_user_model, mocked_http):
    place_call = Permission.objects.get(codename="place_call")
    a = django_user_model.objects.create_user("alice", password="pw-alice-123")
    b = django_user_model.objects.create_user("bob", password="pw-bob-123")
    lead = django_user_model.objects.create_user("lena", password="pw-lena-123")
    for user in (a, b, lead):
        user.user_permissions.add(place_call)  # what /dial/ needs; nothing else
    leads = Group.objects.get(name=access.LEADS_GROUP)
    lead.groups.add(leads)
    call = Call.objects.create(
        sid=CALL_SID,
        to=NUMBER,
        from_number="+15005550006",
        status="completed",
        dialed_by=a,
        owner=a,
        notes=f"Notes: {SECRET_WORD} again",
    )
    recording = Recording.objects.create(
        sid=RECORDING_SID, call=call, call_sid=CALL_SID, account_sid=ACCOUNT, owner=a
    )
    words = [{"text": SECRET_WORD, "start": 0, "end": 500, "confidence": 0.9}]
    transcript = Transcript.objects.create(
        job_id=JOB_ID,
        status=TranscriptStatus.COMPLETED,
        recording_sid=RECORDING_SID,
        call_sid=CALL_SID,
        text=SECRET_WORD,
        words=words,
        owner=a,
        audio=recording_asset(recording),  # what the recording callback gives it: the player, the call
    )
    delivery = WebhookDelivery.objects.create(transcript=transcript, job_id=JOB_ID, status="completed")
    # Twilio, for the lead's requests (B's must never get this far).
    base = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings"
    mocked_http.get(f"{base}/{RECORDING_SID}", body=b"RIFF-audio", content_type="audio/x-wav")
    listing = {
        "recordings": [
            {"sid": RECORDING_SID, "call_sid": CALL_SID, "account_sid": ACCOUNT, "status": "completed"}
        ],
        "next_page_uri": None,
        "page": 0,
        "page_size": 50,
    }
    mocked_http.get(re.compile(re.escape(f"{base}.json") + ".*"), json=listing)
    share_token = "s" * 43
    share = ShareLink.objects.create(
        transcript=transcript,
        token_hash=token_hash(share_token),
        created_by=a,
        expires_at=timezone.now() + timedelta(days=1),
        include_audio=True,
    )
    sample = sample_load(owner=a, sample=samples.TUTORIAL)
    endpoint = Endpoint.objects.create(
        owner=a, url="https://hooks.example.com/a", events=["transcript.completed"], description=ENDPOINT_NOTE
    )
    notify_delivery = endpoint_test_event(endpoint=endpoint)
    # Every client of the walk also carries its user's API token (see client_for).
    for user in (a, b, lead):
        user.api_token = token_create(user=user, name="walk")[1]
    spare, _ = token_create(user=a, name="spare")
    return World(
        a,
        b,
        lead,
        call,
        recording,
        transcript,
        delivery,
        leads,
        share,
        share_token,
        sample,
        endpoint,
        notify_delivery,
        spare,
    )


# -- walking the URLconf -------------------------------------------------------------------------


@dataclass
class Route:
    parts: tuple  # the patterns from the root down to this one
    pattern: URLPattern
    namespaces: tuple
    params: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return ":".join((*self.namespaces, self.pattern.name or "?"))

    @property
    def is_admin(self) -> bool:
        return self.namespaces[:1] == ("admin",)

    @property
    def admin_model(self) -> str:
        """The ModelAdmin's prefix ("caller/call/") of an admin route, or ""."""
        return str(self.parts[1]) if self.is_admin and len(self.parts) > 2 else ""

    def __str__(self) -> str:
        return "".join(str(part) for part in self.parts)


def walk(patterns, parts=(), namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, (*parts, entry.pattern), inner)
        else:
            yield Route(parts=(*parts, entry.pattern), pattern=entry, namespaces=namespaces)


ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")


def _admin_object(w: World, route: Route):
    if route.name == "admin:view_on_site":
        return w.call.pk  # with content_type_id below
    objects = {
        "caller/call/": w.call,
        "caller/recording/": w.recording,
        "transcription/transcript/": w.transcript,
        "transcription/webhookdelivery/": w.delivery,
        "audio/audioasset/": w.transcript.audio,
        "notify/endpoint/": w.endpoint,
        "notify/delivery/": w.notify_delivery,
        "auth/user/": w.a,
        "auth/group/": w.leads,
        # Queued tasks name rows by id, no one's data (what webhooks queued is withheld there:
        # djtranscribe.task_admin); sign-in attempts are for those who may see them (axes' own
        # permissions): only the sign-in check applies.
        "django_tasks_database/dbtaskresult/": None,
        "axes/accessattempt/": None,
        "axes/accessfailurelog/": None,
        "axes/accesslog/": None,
        # The audit trail: staff with its view permission only, read-only (test_audit.py).
        "audit/auditevent/": None,
    }
    if route.admin_model not in objects:
        pytest.fail(f"{route}: no object of A's for the admin of {route.admin_model!r}: add one to this test")
    obj = objects[route.admin_model]
    return "0" if obj is None else obj.pk


# Parameter kinds, by name: how to make a value. Those marked True name one of A's objects.
PARAMS = {
    "call_sid": (True, lambda w, route: w.call.sid),
    "call_id": (True, lambda w, route: w.call.pk),
    "recording_sid": (True, lambda w, route: w.recording.sid),
    "pk": (
        True,
        lambda w, route: (
            w.share.pk
            if route.name == "share-revoke"
            else w.spare_token.pk
            if route.name == "api-token-revoke"
            else (w.sample if route.name in SAMPLE_ROUTES else w.transcript).pk
        ),
    ),
    "sample_pk": (True, lambda w, route: w.sample.pk),
    "endpoint_id": (True, lambda w, route: w.endpoint.pk),
    "delivery_id": (True, lambda w, route: w.notify_delivery.pk),
    "token": (
        True,
        lambda w, route: w.share_token if route.name in SHARE_LINK_ROUTES else w.transcript.webhook_token,
    ),
    "object_id": (True, _admin_object),
    "id": (True, _admin_object),
    "content_type_id": (True, lambda w, route: ContentType.objects.get_for_model(Call).pk),
    "kind": (False, lambda w, route: "txt"),
    "phone_number": (False, lambda w, route: "+14155550199"),
    "app_label": (False, lambda w, route: "caller"),
    "url": (False, lambda w, route: "no-such-page/"),
}


def fill(route: Route, w: World) -> str:
    """The URL of `route` with its parameters filled, or a loud failure naming what is missing."""

    def value(name: str) -> str:
        if name not in PARAMS:
            pytest.fail(f"{route} ({route.name}): no way to fill the parameter {name!r}: add it to PARAMS")
        route.params.append(name)
        return str(PARAMS[name][1](w, route))

    url = ""
    for part in route.parts:
        if isinstance(part, RoutePattern):
            url += ROUTE_PARAM.sub(lambda m: value(m["name"]), str(part))
        elif isinstance(part, RegexPattern):
            text = REGEX_PARAM.sub(lambda m: value(m["name"]), str(part))
            text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z").replace("\\.", ".")
            if re.search(r"[\\^$()|\[\]*+?{}]", text):
                pytest.fail(f"{route}: cannot turn the regex {str(part)!r} into a URL: fill it by hand here")
            url += text
        else:
            pytest.fail(f"{route}: unknown pattern type {type(part).__name__}")
    url = "/" + url
    if resolve(url).func is not route.pattern.callback:
        # Another pattern answers first (it is walked on its own); this one is unreachable as filled.
        pytest.fail(f"{url} resolves to {resolve(url).view_name}, not {route.name}: fix fill()")
    return url


def routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def owns_object(route: Route) -> bool:
    return any(PARAMS[name][0] for name in route.params)


def leaked(response, url: str = "") -> list[str]:
    """The markers of A's data found in a response's body or redirect, beyond the URL asked for."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace") + " " + response.get("Location", "")
    if url:
        # What the user typed may be echoed back ("No recording RE… is known"): that tells nothing.
        text = text.replace(quote(url, safe=""), "").replace(url, "")
        for segment in url.split("/"):
            text = text.replace(segment, "") if len(segment) > 8 else text
    return [marker for marker in MARKERS if marker in text]


def client_for(user) -> Client:
    """A client signed in as `user` that also sends their API token (the API reads only the token)."""
    token = getattr(user, "api_token", None)
    client = Client(headers={"Authorization": f"Bearer {token}"} if token else {})
    if user is not None:
        client.force_login(user)
    return client


def get(client: Client, url: str):
    """GET, or POST for views that take only POST (logout, webhooks)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, POST_DATA.get(resolve(url).url_name, {}))
    return response


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Call, Recording, Transcript, WebhookDelivery))


# -- the walk ------------------------------------------------------------------------------------


def test_the_walk_finds_every_kind_of_url(world):
    names = {route.name for route in routes()}
    assert {"home", "call-detail", "recording-media", "recording-url", "transcription:export"} <= names
    assert {"transcription:assemblyai-webhook", "admin:caller_call_change", "admin:view_on_site"} <= names
    assert {"admin:audio_audioasset_changelist", "admin:audio_audioasset_change"} <= names


def test_it_fails_loudly_on_a_parameter_it_cannot_fill(world):
    route = Route(parts=(RoutePattern("things/<slug:gizmo>/"),), pattern=routes()[0].pattern, namespaces=())
    with pytest.raises(pytest.fail.Exception, match="gizmo"):
        fill(route, world)


def test_anonymous_users_are_sent_to_sign_in_and_webhooks_refuse_them(world):
    before = counts()
    for route in routes():
        url = fill(route, world)
        anonymous = client_for(None)
        if route.name in PUBLIC_WEBHOOKS:
            for response in (anonymous.get(url), anonymous.post(url, {"CallSid": CALL_SID})):
                assert response.status_code in (401, 403, 405), f"{url} let an unsigned request in"
        elif route.name in ("login", "admin:login"):
            assert anonymous.get(url).status_code == 200
        elif route.name in SHARE_LINK_ROUTES:
            assert anonymous.get(url).status_code == 200, f"{url}: a live share link did not open"
            continue
        elif route.name in TOKEN_ROUTES:
            response = anonymous.get(url)
            assert response.status_code == 401, f"{url} answered {response.status_code} to no token"
            assert response["Content-Type"] == "application/problem+json"
            assert response["WWW-Authenticate"].startswith("Bearer")
        else:
            response = get(anonymous, url)
            # Signing out of the admin without being signed in lands on its index, then its login.
            login = {"admin:logout": "/admin/"}.get(
                route.name, "/admin/login/" if route.is_admin else "/login/"
            )
            assert response.status_code == 302, f"{url} answered {response.status_code} to nobody"
            assert response["Location"].startswith(login), f"{url} sent nobody to {response['Location']}"
        assert not leaked(get(anonymous, url), url), f"{url} showed A's data to nobody"
    assert counts() == before


def test_no_page_outside_the_webhooks_and_login_skips_the_sign_in_check(world):
    public = {
        route.name
        for route in routes()
        if not route.is_admin and getattr(route.pattern.callback, "login_required", True) is False
    }
    assert public == PUBLIC | {"transcription:assemblyai-webhook"} | SHARE_LINK_ROUTES | TOKEN_ROUTES


def test_a_second_user_gets_404_for_the_first_users_objects_and_never_sees_them(world, mocked_http):
    for route in routes():
        if route.is_admin or route.name in PUBLIC_WEBHOOKS | {"login"} | SHARE_LINK_ROUTES:
            continue
        url = fill(route, world)
        response = get(client_for(world.b), url)
        if owns_object(route):
            assert response.status_code == 404, f"{url} answered {response.status_code} to B, not 404"
        else:
            assert response.status_code < 500, f"{url} failed for B"
        assert not leaked(response, url), f"{url} showed B A's data: {leaked(response, url)}"
    assert not mocked_http.calls, "B's requests reached Twilio"


def test_a_lead_gets_every_page_of_the_first_users_objects(world):
    for route in routes():
        if route.is_admin or route.name in PUBLIC_WEBHOOKS | {"login", "logout"}:
            continue
        url = fill(route, world)
        response = get(client_for(world.lead), url)
        if route.name in OWNER_ONLY:
            assert response.status_code == 404, f"{url} answered {response.status_code} to a lead, not 404"
            assert not leaked(response, url), f"{url} showed a lead A's owner-only page"
            continue
        expected = LEAD_OK.get(route.name, OK.get(route.name, 200))
        assert response.status_code == expected, f"{url} answered {response.status_code} to a lead"
        if (
            owns_object(route)
            and "html" in response["Content-Type"]
            and response.status_code not in (302, 303, 403, 404)
        ):
            assert leaked(response, url), f"{url}: a lead's page shows nothing of A's beyond the URL"


def test_the_owner_gets_every_page_of_their_objects(world):
    for route in routes():
        if route.is_admin or route.name in PUBLIC_WEBHOOKS | {"login", "logout"}:
            continue
        url = fill(route, world)
        assert get(client_for(world.a), url).status_code == OK.get(route.name, 200), (
            f"{url} refused A her own"
        )


# -- the admin -----------------------------------------------------------------------------------

APP_MODELS = (
    "caller/call/",
    "caller/recording/",
    "transcription/transcript/",
    "transcription/webhookdelivery/",
    "audio/audioasset/",
    "notify/endpoint/",
    "notify/delivery/",
)


def staff_with_view_perms(user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_call",
                "view_recording",
                "view_transcript",
                "view_webhookdelivery",
                "view_audioasset",
                "view_endpoint",
                "view_delivery",
            ]
        )
    )
    return client_for(user)


def test_a_staff_user_sees_only_their_own_rows_in_the_admin(world):
    staff_with_view_perms(world.b)
    for route in routes():
        if route.admin_model not in APP_MODELS:
            continue
        url = fill(route, world)
        response = get(client_for(world.b), url)
        if route.pattern.name and route.pattern.name.endswith("_changelist"):
            assert response.status_code == 200, f"{url} answered {response.status_code} to B"
        elif owns_object(route):
            # Django's admin answers an object outside get_queryset with a redirect to the index.
            assert response.status_code in (302, 403, 404), f"{url} answered {response.status_code} to B"
            if response.status_code == 302:
                # The index, or (Django's old-style URL) the change page, which redirects there.
                assert response["Location"] in ("/admin/", f"{url}change/"), response["Location"]
        assert not leaked(response, url), f"{url} showed B A's data: {leaked(response, url)}"


def test_view_on_site_redirects_only_to_objects_the_user_may_see(world):
    content_type = ContentType.objects.get_for_model(Call).pk
    url = f"/admin/r/{content_type}/{world.call.pk}/"
    assert staff_with_view_perms(world.b).get(url).status_code == 404
    response = staff_with_view_perms(world.lead).get(url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/calls/{CALL_SID}/")


def test_a_lead_sees_every_row_in_the_admin(world):
    staff_with_view_perms(world.lead)
    for route in routes():
        if route.admin_model not in APP_MODELS or not route.pattern.name:
            continue
        if not route.pattern.name.endswith(("_changelist", "_change")):
            continue
        url = fill(route, world)
        response = client_for(world.lead).get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code} to a lead"
        assert leaked(response, url), f"{url}: the lead's admin page shows nothing of A's"


# -- what the walk cannot see: query strings and calls placed elsewhere -------------------------


def test_the_calls_status_json_says_nothing_of_someone_elses_call(world):
    response = client_for(world.b).get("/calls/status/", {"sid": CALL_SID})
    assert response.json()["calls"] == {}
    lead = client_for(world.lead).get("/calls/status/", {"sid": CALL_SID})
    assert list(lead.json()["calls"]) == [CALL_SID]


def test_searching_finds_only_the_users_own_transcripts(world):
    response = client_for(world.b).get("/transcription/", {"q": SECRET_WORD})
    assert response.context["total"] == 0
    assert client_for(world.a).get("/transcription/", {"q": SECRET_WORD}).context["total"] == 1


def test_only_a_lead_may_list_the_recordings_of_a_call_placed_elsewhere(world, mocked_http):
    elsewhere = "CA" + "c3" * 16
    response = client_for(world.b).get(f"/get-recording-url/{elsewhere}/")
    assert response.status_code == 404
    assert not mocked_http.calls
    response = client_for(world.lead).get(f"/get-recording-url/{elsewhere}/")
    assert response.status_code == 200
    assert RECORDING_SID in response.content.decode()


def test_the_media_of_someone_elses_recording_is_404_without_asking_twilio(world, mocked_http):
    response = client_for(world.b).get(f"/recordings/{RECORDING_SID}/media/")
    assert response.status_code == 404
    assert not mocked_http.calls
    response = client_for(world.a).get(f"/recordings/{RECORDING_SID}/media/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF-audio"


def test_a_transcript_given_to_someone_else_does_not_show_them_the_call(world):
    world.transcript.owner = world.b
    world.transcript.save()
    for url in (f"/transcription/{world.transcript.pk}/", "/transcription/"):
        response = client_for(world.b).get(url)
        assert response.status_code == 200
        assert SECRET_WORD in response.content.decode()
        assert NUMBER not in response.content.decode()
        assert f"/calls/{CALL_SID}/" not in response.content.decode()


def test_an_uploaders_asset_is_visible_through_their_transcript_only(world):
    from audio.models import AudioAsset, OriginKind
    from transcription.selectors import assets_visible_to

    upload = AudioAsset.objects.create(origin_kind=OriginKind.UPLOAD)  # an upload's asset has no owner
    Transcript.objects.create(owner=world.a, audio=upload)
    assert upload in assets_visible_to(world.a)
    assert upload not in assets_visible_to(world.b)
    assert upload in assets_visible_to(world.lead)


def test_the_unredacted_original_plays_only_with_its_permission(world):
    from audio.models import AudioAsset, OriginKind
    from audio.services import asset_archive

    kept = AudioAsset.objects.create(origin_kind=OriginKind.TWILIO_RECORDING)
    asset_archive(asset=kept, chunks=[b"RIFF-unredacted"], name="kept.wav")
    Transcript.objects.filter(pk=world.transcript.pk).update(unredacted_audio=kept)
    url = f"/transcription/{world.transcript.pk}/audio/unredacted/"
    assert get(client_for(world.a), url).status_code == 404
    play = Permission.objects.get(codename="play_unredacted", content_type__app_label="audio")
    world.a.user_permissions.add(play)
    world.b.user_permissions.add(play)
    assert get(client_for(world.a), url).status_code == 200
    assert get(client_for(world.b), url).status_code == 404  # the permission opens no one else's
