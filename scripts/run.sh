#!/bin/sh
# Serve the app and run the background worker together; Ctrl-C (or TERM) stops both.
set -u
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Local development: DEBUG on unless DEBUG itself is set (environment or .env).
export DJTRANSCRIBE_DEBUG_DEFAULT="${DJTRANSCRIBE_DEBUG_DEFAULT:-true}"

# The worker's daily retention run queues its next one; this restarts the chain if it was broken.
$PY manage.py schedule_retention
$PY manage.py db_worker --queue-name '*' --no-reload &
worker=$!
$PY manage.py runserver "$HOST:$PORT" &
server=$!

stop() {
    trap - INT TERM EXIT
    kill "$server" "$worker" 2>/dev/null
    wait "$server" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

# When either one exits, stop the other.
while kill -0 "$server" 2>/dev/null && kill -0 "$worker" 2>/dev/null; do
    sleep 1
done
