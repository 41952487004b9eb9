"""Can Twilio reach BASE_URL? Said before a call is placed, not after Twilio's callbacks go nowhere."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from djtranscribe.lib.http import refusal


def base_url_problem(base_url: str) -> str:
    """Why Twilio cannot reach `base_url` (loopback, private, plain http), as one sentence; "" when it can."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    why = ""
    if not host or host == "localhost" or host.endswith(".localhost"):
        why = "it names this computer"
    else:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if "." not in host:
                why = f"{host} is a local name"
        else:
            reason = refusal(host)
            if reason:
                why = f"{host} is {reason}"
    if not why and parts.scheme != "https":
        why = "it is plain http"
    if not why:
        return ""
    return (
        f"Twilio cannot reach {base_url}: start ngrok and set BASE_URL "
        f"to its https address ({why}; Twilio's callbacks and the recording would never arrive)."
    )
