"""nearcopy: find exact, near and partial copies in large text collections, and clean them up."""

from nearcopy.api import DedupResult, dedup
from nearcopy.config import DedupConfig, InputConfig, RunConfig
from nearcopy.document import Document
from nearcopy.errors import (ConfigError, InputFormatError, MissingDependencyError,
                             NearcopyError, ServiceError, StorageError)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DedupConfig",
    "DedupResult",
    "Document",
    "InputConfig",
    "InputFormatError",
    "MissingDependencyError",
    "NearcopyError",
    "RunConfig",
    "ServiceError",
    "StorageError",
    "__version__",
    "dedup",
]
