"""Errors a researcher can act on.

Every failure the tool expects is one of these: a single line saying what went wrong, naming
the file, line, URL or field, and how to fix it. The CLI maps them to exit codes (2 for bad
usage or configuration, 1 for failures at run time) and prints tracebacks only with --debug.
"""


class DiscourseError(Exception):
    """A failure with a message meant for the researcher."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(DiscourseError):
    """The command, its arguments or its input files are wrong; nothing was changed."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration file is malformed or holds an unknown key or a wrong value."""


class StoreError(DiscourseError):
    """The SQLite store cannot be opened, upgraded or written."""
