"""The error that rejects a whole file (its message is for the user)."""


class FileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""
