"""`make run`'s last step: the background worker and the web server side by side, one box once the
server answers, and Ctrl-C (or TERM) stops both and exits 0.

Why Python and not a shell script: Ctrl-C in a terminal interrupts the whole foreground process
group, make included, and make then reports "Interrupt" and dies of the signal (exit 130) whatever
its recipe does. So this script moves itself and its children into their own process group and
hands the terminal to it: Ctrl-C reaches the servers and this script, make only sees it exit 0.
The terminal goes back to make's group before exiting. Without a terminal nothing of that applies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

PY = os.environ.get("PY") or sys.executable
HOST = os.environ.get("HOST") or "127.0.0.1"
PORT = os.environ.get("PORT") or "8000"
STARTUP_SECONDS = 120  # a cold first start on a slow machine; the box waits for the server
GRACE_SECONDS = 15  # a running task may finish before the worker is told to stop harder
# The workers run at a lower CPU priority than the web server (as docs/deploying.md's Nice=10):
# during a burst of callbacks the requests get the CPU first, and the inbox catches up after.
WORKER_NICENESS = 10


class Terminal:
    """Our own foreground process group on the controlling terminal, when there is one."""

    def __init__(self):
        self.fd = None
        self.previous_group = None

    def take(self) -> None:
        try:
            fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
        except OSError:
            return  # no controlling terminal: signals come from whoever started us
        try:
            if os.tcgetpgrp(fd) != os.getpgrp():
                os.close(fd)  # started in the background (`make run &`): leave the terminal alone
                return
            previous = os.getpgrp()
            os.setpgid(0, 0)
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not set it otherwise
            os.tcsetpgrp(fd, os.getpgrp())
        except OSError:
            os.close(fd)
            return
        self.fd, self.previous_group = fd, previous

    def give_back(self) -> None:
        if self.fd is None:
            return
        try:
            os.tcsetpgrp(self.fd, self.previous_group)
        except OSError:
            pass  # make's group is gone (its terminal closed): nothing to give back
        os.close(self.fd)
        self.fd = None


def manage(*args: str) -> list[str]:
    return [PY, "manage.py", *args]


def at_lower_priority() -> None:
    """In a worker's process, before it starts: give the web server the CPU first."""
    os.nice(WORKER_NICENESS)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(children: list[subprocess.Popen], *, already_signalled: bool) -> None:
    """Stop each child: SIGINT (unless the terminal sent it already), then TERM, then KILL."""
    for child in children:
        if child.poll() is None and not already_signalled:
            child.send_signal(signal.SIGINT)
    for sig, seconds in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, 5)):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(child.poll() is None for child in children):
            time.sleep(0.1)
        for child in children:
            if child.poll() is None:
                child.send_signal(sig)
    for child in children:
        child.wait()


def main() -> int:
    asked_to_stop: list[int] = []

    def on_signal(signum, frame):
        asked_to_stop.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    terminal = Terminal()
    terminal.take()
    url = f"http://{HOST}:{PORT}/"
    children: list[subprocess.Popen] = []
    ended: list[subprocess.Popen] = []
    try:
        # Local development: DEBUG on unless DEBUG itself is set (environment or .env), as under make.
        os.environ.setdefault("DJTRANSCRIBE_DEBUG_DEFAULT", "true")
        env = {**os.environ, "DJANGO_RUNSERVER_HIDE_WARNING": "true"}
        # The children take Ctrl-C themselves (same process group), so they keep the default handlers.
        # Our own manage.py with make's HOST and PORT (S603: no shell, no outside input).
        worker = manage("db_worker", "--queue-name", "*", "--no-reload", "--skip-checks")
        children.append(subprocess.Popen(worker, preexec_fn=at_lower_priority))  # noqa: S603
        # Callbacks are stored by a worker (the inbox): one of their own, so that archiving or
        # uploading a long recording never holds them up.
        inbox = manage("db_worker", "--queue-name", "inbox", "--no-reload", "--skip-checks")
        children.append(subprocess.Popen(inbox, preexec_fn=at_lower_priority))  # noqa: S603
        server = manage("devserver", f"{HOST}:{PORT}", "--skip-checks")
        children.append(subprocess.Popen(server, env=env))  # noqa: S603
        deadline = time.monotonic() + STARTUP_SECONDS
        while not asked_to_stop and all(child.poll() is None for child in children):
            if answers(HOST, int(PORT)):
                subprocess.run(manage("first_run_setup", "--box", url), check=False)  # noqa: S603
                break
            if time.monotonic() > deadline:
                print(f"The server did not answer on {url} within {STARTUP_SECONDS} s.", file=sys.stderr)
                asked_to_stop.append(0)
                break
            time.sleep(0.2)
        while not asked_to_stop and all(child.poll() is None for child in children):
            time.sleep(0.2)
        # The terminal's Ctrl-C reached every child already; a TERM sent to this script did not.
        from_terminal = bool(asked_to_stop) and asked_to_stop[0] == signal.SIGINT and terminal.fd is not None
        ended = [child for child in children if child.poll() is not None] if not asked_to_stop else []
        stop(children, already_signalled=from_terminal)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
        terminal.give_back()
    if asked_to_stop and asked_to_stop[0] != 0:
        print("Stopped the server and the workers.")
        return 0
    if ended:
        print("The server or the worker stopped by itself; the other one is stopped too.", file=sys.stderr)
        return ended[0].returncode or 1
    return 1  # the server never answered


if __name__ == "__main__":
    sys.exit(main())
