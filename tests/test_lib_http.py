"""djtranscribe.lib.http: timeouts, what is retryable, redaction, user URLs kept off internal addresses."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from requests.adapters import HTTPAdapter

from djtranscribe.lib import http
from djtranscribe.lib.redaction import REDACTED, redact

# -- timeouts -------------------------------------------------------------------------------------


def test_it_gives_every_request_the_sessions_connect_and_read_timeout(mocked_http):
    mocked_http.get("https://vendor.example/ping", body="ok")
    http.session(timeout=(3.0, 7.0)).get("https://vendor.example/ping")
    assert mocked_http.calls[0].request.req_kwargs["timeout"] == (3.0, 7.0)


def test_a_single_timeout_is_the_read_budget_with_connect_capped_at_ten_seconds():
    assert http.timeouts(30.0) == (10.0, 30.0)
    assert http.timeouts(4.0) == (4.0, 4.0)


def test_a_timeout_given_with_the_request_wins(mocked_http):
    mocked_http.get("https://vendor.example/ping", body="ok")
    http.session(timeout=30.0).get("https://vendor.example/ping", timeout=(1.0, 2.0))
    assert mocked_http.calls[0].request.req_kwargs["timeout"] == (1.0, 2.0)


def test_a_session_without_a_timeout_still_has_the_default(mocked_http):
    mocked_http.get("https://vendor.example/ping", body="ok")
    http.session().get("https://vendor.example/ping")
    assert mocked_http.calls[0].request.req_kwargs["timeout"] == http.timeouts(http.DEFAULT_TIMEOUT)


# -- classification -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (408, True),
        (409, False),
        (422, False),
        (425, True),
        (429, True),
        (500, True),
        (501, False),
        (502, True),
        (503, True),
        (504, True),
        (505, False),
        (520, True),
        (None, False),
    ],
)
def test_statuses_are_classified_once_for_every_vendor(status, retryable):
    assert http.is_retryable_status(status) is retryable


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (requests.ConnectionError("refused"), True),
        (requests.ConnectTimeout("slow connect"), True),
        (requests.ReadTimeout("slow read"), True),
        (requests.exceptions.ChunkedEncodingError("cut off"), True),
        (requests.exceptions.InvalidURL("bad url"), False),
        (requests.TooManyRedirects("loop"), False),
        (http.BlockedAddress("internal"), False),
    ],
)
def test_exceptions_are_classified_once_for_every_vendor(exc, retryable):
    assert http.is_retryable_exception(exc) is retryable
    assert http.classify(exc=exc).retryable is retryable


def test_a_429_carries_its_retry_after_in_seconds():
    assert http.classify(status=429, headers={"Retry-After": "12"}) == http.Verdict(True, 12.0)


def test_a_retry_after_given_as_a_date_in_the_past_means_now():
    verdict = http.classify(status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert verdict == http.Verdict(True, 0.0)


def test_an_unreadable_retry_after_is_ignored_but_the_429_stays_retryable():
    assert http.classify(status=429, headers={"Retry-After": "soon"}) == http.Verdict(True, None)


# -- redaction ------------------------------------------------------------------------------------


def test_redaction_blanks_every_configured_secret(settings):
    secrets = (settings.TWILIO_AUTH_TOKEN, settings.ASSEMBLYAI_KEY, settings.ASSEMBLYAI_WEBHOOK_SECRET)
    assert redact("token {} key {} {}".format(*secrets)) == f"token {REDACTED} key {REDACTED} {REDACTED}"


def test_redaction_blanks_the_basic_auth_value_that_carries_twilios_token(settings):
    import base64

    basic = base64.b64encode(f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
    assert basic not in redact(f"Authorization: Basic {basic}")


def test_redaction_blanks_a_credential_given_to_a_client_directly():
    assert redact("echo of key-given-directly-123", also=("key-given-directly-123",)) == f"echo of {REDACTED}"


def test_redaction_leaves_short_values_alone(settings):
    settings.ASSEMBLYAI_WEBHOOK_SECRET = "the"
    assert redact("the call") == "the call"


# -- user-supplied URLs ---------------------------------------------------------------------------


@pytest.fixture
def server(mocked_http):
    """A loopback HTTP server; answers 200 'hello' on /, a redirect on /redirect."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    mocked_http.add_passthru("http://")
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve through this table only: no real DNS."""
    table: dict[str, list[str]] = {}
    looked_up: list[str] = []

    def resolve(host, port):
        looked_up.append(host)
        return table[host]

    monkeypatch.setattr(http, "resolve", resolve)
    resolve.table, resolve.looked_up = table, looked_up
    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "fe80::1",
        "fd00:ec2::254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address):
    assert http.refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert http.refusal(address) is None


def test_allowing_private_targets_lets_loopback_and_private_through_but_never_metadata():
    assert http.refusal("127.0.0.1", allow_private=True) is None
    assert http.refusal("10.0.0.5", allow_private=True) is None
    assert http.refusal("169.254.169.254", allow_private=True) is not None
    assert http.refusal("fd00:ec2::254", allow_private=True) is not None


def test_a_user_url_whose_name_resolves_to_loopback_is_refused_at_connect_time(server, resolver):
    resolver.table["innocent.example"] = ["127.0.0.1"]
    with pytest.raises(
        http.BlockedAddress, match="innocent.example resolves to 127.0.0.1, a loopback address"
    ):
        http.session(user_url=True).get(f"http://innocent.example:{server}/")
    assert resolver.looked_up == ["innocent.example"]


def test_a_name_with_one_internal_address_among_public_ones_is_refused(server, resolver):
    resolver.table["mixed.example"] = ["93.184.216.34", "10.0.0.7"]
    with pytest.raises(http.BlockedAddress, match="10.0.0.7"):
        http.session(user_url=True).get(f"http://mixed.example:{server}/")


def test_an_ip_literal_in_the_url_is_checked_too(server):
    with pytest.raises(http.BlockedAddress):
        http.session(user_url=True).get(f"http://127.0.0.1:{server}/")


def test_a_blocked_address_is_not_retryable(server, resolver):
    resolver.table["internal.example"] = ["192.168.0.10"]
    with pytest.raises(http.BlockedAddress) as raised:
        http.session(user_url=True).get(f"http://internal.example:{server}/")
    assert not http.is_retryable_exception(raised.value)


def test_an_allowed_public_address_is_connected_to_exactly_as_checked(server, resolver, monkeypatch):
    resolver.table["public.example"] = ["93.184.216.34"]
    connected = []
    real_open_socket = http.open_socket

    def open_socket(address, timeout, **kwargs):
        connected.append(address)
        # Stand in for the public host: the request reaches the loopback server instead.
        return real_open_socket(("127.0.0.1", server), timeout, **kwargs)

    monkeypatch.setattr(http, "open_socket", open_socket)
    response = http.session(user_url=True).get(f"http://public.example:{server}/")
    assert response.status_code == 200 and response.text == "hello"
    assert connected == [("93.184.216.34", server)]  # the checked address, no second lookup
    assert resolver.looked_up == ["public.example"]


def test_the_allow_private_setting_lets_a_user_url_reach_loopback(server, settings):
    settings.HTTP_ALLOW_PRIVATE_URLS = True
    assert http.session(user_url=True).get(f"http://127.0.0.1:{server}/").text == "hello"


def test_redirects_of_a_user_url_are_not_followed(server):
    session = http.session(user_url=True, allow_private=True)
    response = session.get(f"http://127.0.0.1:{server}/redirect")
    assert response.status_code == 302
    assert response.headers["Location"] == "http://169.254.169.254/latest/meta-data/"


def test_a_user_url_session_ignores_proxies_from_the_environment():
    assert http.session(user_url=True).trust_env is False


# -- the seam for fakes ---------------------------------------------------------------------------


class Canned(HTTPAdapter):
    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code, response._content, response.url = 299, b"fake", request.url
        response.request = request
        return response


def test_a_fake_installed_for_a_prefix_answers_for_every_new_session():
    with http.faked("https://vendor.example/", Canned):
        response = http.session().get("https://vendor.example/anything")
    assert (response.status_code, response.content) == (299, b"fake")


def test_a_fake_leaves_other_prefixes_and_plain_requests_alone():
    with http.faked("https://vendor.example/", Canned):
        assert not isinstance(http.session().get_adapter("https://other.example/"), Canned)
        assert not isinstance(requests.Session().get_adapter("https://vendor.example/"), Canned)


def test_a_fake_is_gone_after_its_block():
    with http.faked("https://vendor.example/", Canned):
        pass
    assert not isinstance(http.session().get_adapter("https://vendor.example/x"), Canned)


# -- the vendor clients go out through it -----------------------------------------------------------

ACCOUNT = "AC" + "a" * 32
RECORDING_JSON = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}.json"
MEDIA_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'1' * 32}"


def test_twilios_rest_client_sends_with_a_connect_and_read_timeout(mocked_http, settings):
    from caller import twilio_client

    settings.TWILIO_TIMEOUT = 15.0
    mocked_http.get(
        RECORDING_JSON, json={"sid": "RE" + "1" * 32, "account_sid": ACCOUNT, "status": "completed"}
    )
    twilio_client.fetch_recording("RE" + "1" * 32)
    assert mocked_http.calls[0].request.req_kwargs["timeout"] == (10.0, 15.0)


def test_twilios_rest_client_uses_a_session_from_the_seam():
    from caller import twilio_client

    with http.faked("https://api.twilio.com/", Canned):
        session = twilio_client.get_client().http_client.session
    assert isinstance(session.get_adapter(RECORDING_JSON), Canned)


@pytest.mark.parametrize("status", [408, 429, 503])
def test_twilio_and_assemblyai_agree_on_what_is_retryable(mocked_http, status):
    from caller import twilio_client
    from transcription.assemblyai_client import AssemblyAIClient, AssemblyAIError

    mocked_http.get(MEDIA_URL, status=status)
    mocked_http.get("https://api.assemblyai.com/v2/transcript/abc", status=status, json={"error": "busy"})
    with pytest.raises(twilio_client.TwilioError) as twilio_failure:
        twilio_client.open_media(MEDIA_URL)
    with pytest.raises(AssemblyAIError) as assemblyai_failure:
        AssemblyAIClient().get("abc")
    assert twilio_failure.value.retryable is assemblyai_failure.value.retryable is True


def test_a_twilio_media_429_carries_its_retry_after(mocked_http):
    from caller import twilio_client

    mocked_http.get(MEDIA_URL, status=429, headers={"Retry-After": "7"})
    with pytest.raises(twilio_client.TwilioError) as failure:
        twilio_client.open_media(MEDIA_URL)
    assert (failure.value.retryable, failure.value.retry_after) == (True, 7.0)


def test_each_vendor_reports_only_its_own_missing_settings(settings):
    from caller import twilio_client
    from transcription import assemblyai_client

    settings.ASSEMBLYAI_KEY = ""
    settings.TWILIO_PHONE_NUMBER = ""
    assert twilio_client.missing_settings() == ["TWILIO_PHONE_NUMBER"]
    assert assemblyai_client.missing_settings() == ["ASSEMBLYAI_KEY"]
