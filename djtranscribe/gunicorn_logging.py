"""gunicorn's access log with webhook tokens masked (gunicorn.conf.py names this logger class)."""

from gunicorn.glogging import Logger as GunicornLogger

from djtranscribe.lib.redaction import mask_tokens


class Logger(GunicornLogger):
    """gunicorn's logger whose access-log fields (request line, path, referer, ...) are masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}
