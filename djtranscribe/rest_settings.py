"""Django REST framework's and drf-spectacular's settings for the API (api/): fixed, read from no
environment variable (API_THROTTLE_RATE and API_PAGE_SIZE are in settings.py, read strictly there).

The classes are named as strings, so nothing of api/ is imported here.
"""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "djtranscribe API",
    "DESCRIPTION": (
        "Calls, recordings, transcripts and outbound webhook endpoints of djtranscribe. "
        "Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`, made on the API tokens page or with "
        "`manage.py create_api_token`); "
        "a token sees exactly what its user sees. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served by this app (whitenoise), no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "caller.models.CallStatus",
        "RecordingStatusEnum": "caller.models.RecordingStatus",
        "TranscriptStatusEnum": "transcription.models.TranscriptStatus",
        "EndpointKindEnum": "notify.models.EndpointKind",
        "DeliveryStatusEnum": "notify.models.DeliveryStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
