"""nearcopy: find exact, near and partial copies in large text collections, and clean them up."""

import os as _os
import sys as _sys

if _os.path.basename((getattr(_sys, "argv", None) or [""])[0]) == "nearcopy" and \
        "numpy" not in _sys.modules:
    # The `nearcopy` command does no linear algebra, and the BLAS thread pool numpy starts
    # on import spun 0.16 CPU s in every run (9% of a 20k-document job, issue #4). Only
    # the command: a program importing nearcopy keeps its own BLAS threads.
    _os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
