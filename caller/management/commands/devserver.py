"""`make run`'s web server: runserver (WhiteNoise's, as installed) without its start banner, since
`make run` prints one box once the server answers; everything else it says is unchanged."""

from django.core.management import get_commands, load_command_class

_Runserver = type(load_command_class(get_commands()["runserver"], "runserver"))


class Command(_Runserver):
    help = "runserver without the start banner (used by `make run`, which prints its own)."

    def on_bind(self, server_port):
        pass  # the banner: the address, Django's version, "Quit with CONTROL-C" (the box says all that)
