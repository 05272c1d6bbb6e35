"""Exceptions raised by nearcopy.

Every error the package raises on purpose derives from `NearcopyError`, so a
caller (and the CLI) can catch one type and show its message::

    NearcopyError
    ├── ConfigError                 bad option value or config file
    ├── InputFormatError            unreadable input (carries path and line)
    ├── StorageError                index storage missing, corrupt or foreign
    ├── ServiceError                HTTP service cannot start or serve
    └── MissingDependencyError      (also an ImportError) optional extra not installed
"""

from __future__ import annotations


class NearcopyError(Exception):
    """Base class of every error nearcopy raises deliberately."""


class ConfigError(NearcopyError):
    """An option or configuration value is invalid; the message names the fix."""


class InputFormatError(NearcopyError):
    """An input file cannot be read as the format it claims to be."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(f"{where}{message}")


class StorageError(NearcopyError):
    """The index storage is missing, corrupt, locked or not a nearcopy index."""


class ServiceError(NearcopyError):
    """The HTTP service cannot start or cannot serve a request."""


class MissingDependencyError(NearcopyError, ImportError):
    """An optional extra is needed; the message gives the exact install line."""

    def __init__(self, feature: str, extra: str):
        super().__init__(f"{feature} needs the '{extra}' extra: pip install 'nearcopy[{extra}]'")
