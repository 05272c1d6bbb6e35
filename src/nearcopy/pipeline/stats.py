"""Per-stage timing and throughput, and the stats.json document of a run."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class StageStats:
    seconds: float = 0.0
    documents: int = 0
    bytes: int = 0

    def as_dict(self) -> dict:
        mb = self.bytes / 1e6
        return {"seconds": round(self.seconds, 4), "documents": self.documents,
                "mb": round(mb, 3),
                "mb_per_s": round(mb / self.seconds, 2) if self.seconds > 0 else None,
                "docs_per_s": round(self.documents / self.seconds, 1) if self.seconds > 0
                else None}


@dataclass
class RunStats:
    """Collects stage timings; `stage(name)` times a block."""

    stages: dict[str, StageStats] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        stats = self.stages.setdefault(name, StageStats())
        start = time.perf_counter()
        try:
            yield stats
        finally:
            stats.seconds += time.perf_counter() - start

    def as_dict(self) -> dict:
        return {name: s.as_dict() for name, s in self.stages.items()}
