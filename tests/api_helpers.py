"""Helpers of the API tests: a client that sends a user's personal API token."""

from django.test import Client

from api.tokens import token_create


def token_for(user, name="tests") -> str:
    return token_create(user=user, name=name)[1]


def api_client(user=None, *, token: str | None = None) -> Client:
    """A client sending `Authorization: Bearer <token>` (a new token of `user` unless given); no session."""
    token = token or token_for(user)
    return Client(headers={"Authorization": f"Bearer {token}"})
