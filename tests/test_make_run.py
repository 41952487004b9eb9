"""`make run` says little and ends with one box; Ctrl-C in its terminal stops the server and the
worker, and make exits 0.

The box is plain text from plain data (caller.startup), read here without a server. The last test
runs the real `make run` in a pseudo-terminal, on its own SQLite file and a free port, without any
.env, and presses Ctrl-C the way a terminal does (the byte 0x03 on the terminal, not a signal sent
by hand); every wait in it is bounded.
"""

import os
import pty
import select
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from caller.startup import CREATE_USER, StartupFacts, startup_box, startup_facts
from tests.factories import make_user

BASE_DIR = Path(__file__).resolve().parent.parent
URL = "http://127.0.0.1:8011/"


def box_lines(facts: StartupFacts, **kwargs) -> list[str]:
    return startup_box(facts, **kwargs).splitlines()


# -- the box, from plain data ---------------------------------------------------------


def test_the_box_opens_with_the_url_to_open():
    lines = box_lines(StartupFacts(url=URL, usernames=["admin"]))
    assert lines[1].strip("│ ") == f"djtranscribe is running: open {URL}"


def test_the_box_names_who_can_log_in():
    text = startup_box(StartupFacts(url=URL, usernames=["admin", "ann"]))
    assert "Log in as admin, ann (with the password set for them)." in text


def test_with_many_users_the_box_names_a_few():
    text = startup_box(StartupFacts(url=URL, usernames=["a", "b", "c"], more_users=True))
    assert "Log in as a, b, c or another user" in text


def test_without_a_user_the_box_gives_the_command_that_makes_the_first():
    text = startup_box(StartupFacts(url=URL))
    assert "No user yet" in text and CREATE_USER in text


def test_the_box_lists_what_is_missing_and_offers_the_sample_meanwhile():
    missing = ["Twilio, to place calls: set TWILIO_AUTH_TOKEN in .env.", "AssemblyAI, to transcribe: set X."]
    text = startup_box(StartupFacts(url=URL, usernames=["admin"], missing=missing))
    assert "Still missing" in text
    assert "- Twilio, to place calls: set TWILIO_AUTH_TOKEN in .env." in text
    assert "Load a sample call" in text


def test_with_nothing_missing_the_box_says_a_call_can_be_placed():
    text = startup_box(StartupFacts(url=URL, usernames=["admin"]))
    assert "Still missing" not in text
    assert "place a call from the home page" in text


def test_the_box_is_closed_and_fits_an_80_column_terminal():
    long = "Twilio cannot reach http://127.0.0.1:8011: " + "start ngrok and set BASE_URL " * 8
    lines = box_lines(StartupFacts(url=URL, missing=[long]))
    assert len({len(line) for line in lines}) == 1 and len(lines[0]) <= 80
    assert lines[0].startswith("┌") and lines[-1].startswith("└")
    assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1])


def test_a_terminal_without_unicode_gets_a_plain_box():
    lines = box_lines(StartupFacts(url=URL), unicode=False)
    assert lines[0].startswith("+-") and lines[1].startswith("| ")
    assert all(ord(char) < 128 for line in lines for char in line)


# -- the facts, from the database and settings ---------------------------------------


@pytest.mark.django_db
def test_the_facts_name_admins_first_and_the_missing_settings_by_name_only(settings):
    make_user("ann")
    make_user("root", superuser=True)
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.ASSEMBLYAI_KEY = "secret-key-value"
    settings.BASE_URL = "http://127.0.0.1:8011"
    facts = startup_facts(URL)
    assert facts.usernames == ["root", "ann"]
    assert any("TWILIO_AUTH_TOKEN" in line for line in facts.missing)
    assert not any("AssemblyAI" in line for line in facts.missing)
    assert any("Twilio cannot reach http://127.0.0.1:8011" in line for line in facts.missing)
    assert "secret-key-value" not in startup_box(facts) and settings.TWILIO_ACCOUNT_SID not in startup_box(
        facts
    )


@pytest.mark.django_db
def test_without_a_dotenv_the_facts_say_how_to_start_one_before_the_missing_settings(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.ASSEMBLYAI_KEY = ""
    facts = startup_facts(URL)
    assert facts.missing[0] == "There is no .env yet: start it with `cp .env.example .env`, then restart."
    (tmp_path / ".env").write_text("ASSEMBLYAI_KEY=\n")
    assert not any(".env yet" in line for line in startup_facts(URL).missing)


@pytest.mark.django_db
def test_the_command_prints_the_box(capsys):
    make_user("root", superuser=True)
    call_command("first_run_setup", box=URL)
    assert f"open {URL}" in capsys.readouterr().out


# -- the real thing, in a terminal ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (this test's own database path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue  # gone, or not ours to read
    return found


def niceness_by_command(pids: list[int]) -> dict[str, int]:
    """Each process's niceness (field 19 of /proc/PID/stat), keyed by its command line."""
    found = {}
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # The command name in (parentheses) may hold spaces: count fields after its closing one.
        found[cmdline] = int(stat.rsplit(")", 1)[1].split()[16])
    return found


class Terminal:
    """A child in a pseudo-terminal: read what it prints, type into it, wait for it, all bounded."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its terminal is the pty
            try:
                os.chdir(BASE_DIR)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.output = ""
        self.status = None
        self.closed = False

    def _pump(self, seconds: float) -> None:
        """Read what arrives within `seconds`, and notice the child's exit."""
        if not self.closed:
            ready, _, _ = select.select([self.fd], [], [], seconds)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536).decode(errors="replace")
                except OSError:  # EIO: nothing holds the terminal open any more
                    self.closed = True
        else:
            time.sleep(seconds)
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)

    def read_until(self, text: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while text not in self.output and self.status is None and time.monotonic() < deadline:
            self._pump(0.2)
        return text in self.output

    def wait(self, seconds: float):
        deadline = time.monotonic() + seconds
        while self.status is None and time.monotonic() < deadline:
            self._pump(0.2)
        for _ in range(5):  # what was printed last
            self._pump(0.05)
        return self.status

    def kill(self) -> None:
        if self.status is None:
            try:
                os.killpg(os.getpgid(self.pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the server and the worker")
def test_ctrl_c_in_its_terminal_stops_make_run_and_exits_0(tmp_path):
    port = free_port()
    database = tmp_path / "make-run.sqlite3"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "DJTRANSCRIBE_READ_DOTENV": "0",  # never this developer's .env
        "DATABASE_URL": f"sqlite:///{database}",
    }
    terminal = Terminal(["make", "--no-print-directory", "run", f"PORT={port}"], env)
    try:
        # A first run in a terminal offers to create an admin user: not now (the box says how).
        assert terminal.read_until("Create one now to log in? [Y/n]", 120), terminal.output
        os.write(terminal.fd, b"n\n")
        assert terminal.read_until("Ctrl-C stops the server and the workers.", 120), terminal.output
        assert answers(port)
        assert len(processes_with(str(database))) >= 3  # make's run.py, the server, the worker
        # Both workers yield the CPU to the server (scripts/run.py, WORKER_NICENESS).
        niceness = niceness_by_command(processes_with(str(database)))
        workers = [nice for command, nice in niceness.items() if "db_worker" in command]
        server = [nice for command, nice in niceness.items() if "devserver" in command]
        assert len(workers) == 2 and server, niceness
        assert workers == [min(min(server) + 10, 19)] * 2, niceness  # 19: the lowest priority there is
        os.write(terminal.fd, b"\x03")  # Ctrl-C, as typed
        assert terminal.wait(60) == 0, terminal.output
    finally:
        terminal.kill()
    out = terminal.output
    assert f"open http://127.0.0.1:{port}/" in out
    assert "No user yet" in out and "TWILIO_ACCOUNT_SID" in out and "ASSEMBLYAI_KEY" in out
    assert "Applying " not in out and "Starting development server" not in out  # quiet
    assert out.count("(caller.W001)") == 1  # the settings' warnings, once
    assert "Stopped the server and the workers." in out
    assert not answers(port)
    assert processes_with(str(database)) == []
