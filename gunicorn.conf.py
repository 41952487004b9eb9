"""gunicorn reads this file from the working directory (the project root) by itself."""

# The access log (--access-logfile -) shows AssemblyAI's webhook path with its token masked.
logger_class = "djtranscribe.gunicorn_logging.Logger"
