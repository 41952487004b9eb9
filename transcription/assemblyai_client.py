"""The only code that talks to AssemblyAI's REST API (v2). No ORM in here.

One session from djtranscribe.lib.http, the raw key in the `Authorization`
header, a (connect, read) timeout on every call, and every failure turned into
`AssemblyAIError`, which says what went wrong and whether a retry can help
(djtranscribe.lib.http decides that, for every vendor alike).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import IO, Any

import requests
from django.conf import settings

from djtranscribe.lib import http
from djtranscribe.lib.redaction import redact

logger = logging.getLogger(__name__)

UPLOAD_CHUNK_SIZE = 256 * 1024
# What this client may report missing: AssemblyAI's own settings, nobody else's.
ASSEMBLYAI_SETTINGS = ("ASSEMBLYAI_KEY",)


def missing_settings() -> list[str]:
    """AssemblyAI settings that must be set before transcribing and are empty."""
    return [name for name in ASSEMBLYAI_SETTINGS if not getattr(settings, name, "")]


class AssemblyAIError(Exception):
    """A failed AssemblyAI request. `retryable` says whether trying again can help."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class AssemblyAIClient:
    """A small client for the endpoints djtranscribe uses."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        session: requests.Session | None = None,
    ):
        self.api_key = settings.ASSEMBLYAI_KEY if api_key is None else api_key
        if not self.api_key:
            raise AssemblyAIError(
                "ASSEMBLYAI_KEY is not set: copy your API key from the AssemblyAI dashboard "
                "into .env (ASSEMBLYAI_KEY=...)."
            )
        self.base_url = (base_url or settings.ASSEMBLYAI_BASE_URL).rstrip("/")
        self.timeout = http.timeouts(timeout or settings.ASSEMBLYAI_TIMEOUT)
        self.session = session or http.session(timeout=self.timeout)
        self.session.headers.update({"Authorization": self.api_key, "User-Agent": "djtranscribe"})

    def __repr__(self) -> str:  # never show the key
        return f"<AssemblyAIClient {self.base_url}>"

    # -- requests ---------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise AssemblyAIError(
                f"AssemblyAI did not answer {method} {path} within {self.timeout[1]:g} s.",
                retryable=http.is_retryable_exception(exc),
            ) from None
        except requests.ConnectionError as exc:
            raise AssemblyAIError(
                f"Could not connect to AssemblyAI at {self.base_url} ({type(exc).__name__}).",
                retryable=http.is_retryable_exception(exc),
            ) from None
        except requests.RequestException as exc:
            raise AssemblyAIError(
                f"Request to AssemblyAI failed: {type(exc).__name__}.",
                retryable=http.is_retryable_exception(exc),
            ) from None
        if response.status_code >= 400:
            raise self._error_for(method, path, response)
        return response

    def _error_for(self, method: str, path: str, response: requests.Response) -> AssemblyAIError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        # A proxy or an outage can answer any JSON, not only AssemblyAI's {"error": ...}.
        vendor_message = (body.get("error") if isinstance(body, dict) else "") or ""
        if not isinstance(vendor_message, str):
            vendor_message = str(vendor_message)
        vendor_message = vendor_message.strip() or response.reason or "no message"
        # The message ends up on pages and in the admin: never echo a credential back.
        vendor_message = redact(vendor_message, also=(self.api_key,))
        verdict = http.classify(status=status, headers=response.headers)
        if status == 401:
            hint = " Check ASSEMBLYAI_KEY (and ASSEMBLYAI_BASE_URL: keys are per region)."
        elif status == 429:
            hint = " Rate limited; will retry."
        else:
            hint = ""
        return AssemblyAIError(
            f"AssemblyAI answered {status} to {method} {path}: {vendor_message}.{hint}",
            status=status,
            retryable=verdict.retryable,
            retry_after=verdict.retry_after,
        )

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise AssemblyAIError(
                f"AssemblyAI answered {response.status_code} with a body that is not JSON.",
                status=response.status_code,
                retryable=True,
            ) from None
        if not isinstance(data, dict):
            raise AssemblyAIError("AssemblyAI answered with unexpected JSON.", retryable=True)
        return data

    # -- endpoints --------------------------------------------------------

    def submit(
        self,
        audio_url: str,
        *,
        speech_models: list[str] | None = None,
        webhook_url: str | None = None,
        webhook_auth_header_name: str | None = None,
        webhook_auth_header_value: str | None = None,
        keyterms: list[str] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """POST /v2/transcript: start a job; answers the transcript object (status `queued`)."""
        body: dict[str, Any] = {
            "audio_url": audio_url,
            "speech_models": list(speech_models or settings.TRANSCRIPTION_SPEECH_MODELS),
        }
        if webhook_url:
            body["webhook_url"] = webhook_url
            if webhook_auth_header_name and webhook_auth_header_value:
                body["webhook_auth_header_name"] = webhook_auth_header_name
                body["webhook_auth_header_value"] = webhook_auth_header_value
        if keyterms:
            body["keyterms_prompt"] = list(keyterms)
        body.update(options)
        return self._json(self._request("POST", "/v2/transcript", json=body))

    def get(self, job_id: str) -> dict[str, Any]:
        """GET /v2/transcript/{id}."""
        return self._json(self._request("GET", f"/v2/transcript/{job_id}"))

    def delete(self, job_id: str) -> dict[str, Any]:
        """DELETE /v2/transcript/{id}: removes the text and the uploaded audio at AssemblyAI."""
        return self._json(self._request("DELETE", f"/v2/transcript/{job_id}"))

    def redacted_audio(self, job_id: str) -> dict[str, Any]:
        """GET /v2/transcript/{id}/redacted-audio: its status and, once ready, a pre-signed URL."""
        return self._json(self._request("GET", f"/v2/transcript/{job_id}/redacted-audio"))

    def open_redacted_audio(self, url: str) -> requests.Response:
        """Start a streamed download of a redacted copy from its pre-signed URL (close the answer).

        The URL carries its own signature: no Authorization header goes with it (the key stays
        with AssemblyAI's API), redirects are not followed and internal addresses are refused.
        """
        if not url.startswith("https://"):
            raise AssemblyAIError("AssemblyAI's redacted audio URL is not an https URL.")
        downloads = http.session(timeout=self.timeout, user_url=True)
        try:
            response = downloads.get(url, stream=True, timeout=self.timeout)
        except requests.RequestException as exc:
            raise AssemblyAIError(
                f"The redacted audio could not be downloaded ({type(exc).__name__}).",
                retryable=http.is_retryable_exception(exc),
            ) from None
        if response.status_code != 200:
            response.close()
            verdict = http.classify(status=response.status_code, headers=response.headers)
            raise AssemblyAIError(
                f"The redacted audio's download answered {response.status_code}.",
                status=response.status_code,
                retryable=verdict.retryable,
                retry_after=verdict.retry_after,
            )
        return response

    def upload(self, data: IO[bytes] | Iterable[bytes]) -> str:
        """POST /v2/upload, streaming `data` (a binary file or an iterator of chunks).

        The body is sent chunk by chunk, never read whole into memory. Answers the `upload_url`.
        """
        body = _chunks(data)
        response = self._request(
            "POST",
            "/v2/upload",
            data=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        upload_url = self._json(response).get("upload_url")
        if not upload_url:
            raise AssemblyAIError("AssemblyAI's upload answer had no upload_url.", retryable=True)
        return upload_url


def _chunks(data: IO[bytes] | Iterable[bytes]) -> Iterator[bytes]:
    if hasattr(data, "read"):
        while chunk := data.read(UPLOAD_CHUNK_SIZE):
            yield chunk
    else:
        for chunk in data:
            if chunk:
                yield chunk
