"""The OpenAPI schema's shared parts: the Problem object and the errors every operation may answer.

drf-spectacular infers the successful answers from the serializers; the errors come from
`errors.problem_handler` for every view alike, so they are added here once, to every operation.
"""

from __future__ import annotations

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "about:blank: the status says what kind of problem."},
        "title": {"type": "string", "description": "The HTTP status's own phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and what to do about it."},
        "errors": {
            "type": "array",
            "description": "Invalid input only: one entry per problem.",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "The field, or empty for the whole request."},
                    "detail": {"type": "string"},
                },
                "required": ["field", "detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What any operation may answer besides its own success: who is asking, what exists, how often.
COMMON = {
    "400": "The request is not valid: `detail` and `errors` say what to fix.",
    "401": "No token, or a token that is unknown or revoked.",
    "403": "The token's user may not do this (a permission the pages ask for too).",
    "404": "No such object, or one the token's user may not see.",
    "405": "That method is not allowed here.",
    "406": "The Accept header asks for a type this operation does not answer.",
    "415": "The request body's type is not one this operation reads.",
    "429": "Too many requests with this token (API_THROTTLE_RATE) or too many calls (DIAL_RATE_LIMIT): "
    "`Retry-After` says when to try again.",
}


def problem_response(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": PROBLEM_REF}}}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Problem component and the common error answers."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON.items():
                responses.setdefault(status, problem_response(description))
            # Anything else (a Twilio or AssemblyAI failure: 502, missing settings: 503) is a problem too.
            responses.setdefault("default", problem_response("Any other error, as problem details."))
    return result
