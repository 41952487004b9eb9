"""Default names of a transcript's voices, before anyone names them."""

__all__ = ["default_name"]


def default_name(key: str) -> str:
    """ "Channel 1" for a channel, "Speaker A" for a diarized speaker, "" for the one unnamed voice."""
    if not key:
        return ""
    return f"Channel {key}" if key.isdigit() else f"Speaker {key}"
