"""Keyed hashes under SECRET_KEY that survive its rotation.

Share links and API tokens are stored as a keyed hash of the token, and a webhook's secret header
is derived from its token, all under SECRET_KEY. Rotating the key (the new one in SECRET_KEY, the
old in SECRET_KEY_FALLBACKS, as Django's own sessions and signatures expect) would otherwise end
every link, token and pending webhook at once. A value is recognised under the current key or any
fallback; a stored hash found under a fallback is re-keyed when it is used (`rekeyed`), so the
fallback can go once everything still alive has been used (docs/deploying.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac


def keys() -> list[str]:
    """SECRET_KEY first, then each of SECRET_KEY_FALLBACKS."""
    return [settings.SECRET_KEY, *(key for key in getattr(settings, "SECRET_KEY_FALLBACKS", []) if key)]


def keyed_hash(salt: str, value: str, *, key: str | None = None) -> str:
    """The hex SHA-256 HMAC of `value` under `key` (default: SECRET_KEY), salted by purpose."""
    secret = settings.SECRET_KEY if key is None else key
    return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()


def keyed_hashes(salt: str, value: str) -> list[str]:
    """`value`'s hash under every key this site accepts, the current key's first."""
    return [keyed_hash(salt, value, key=key) for key in keys()]


def rekeyed(model, pk, field: str, stored: str, current: str) -> None:
    """Store `current` (the current key's hash, keyed_hashes' first) for a row found under a
    fallback; a no-op when it is current already."""
    if stored != current:
        model.objects.filter(pk=pk, **{field: stored}).update(**{field: current})
