"""Taking turns across forked worker processes: task k acts after task k-1 has.

The write pass's tasks format their part of the outputs in parallel and then each
appends it to the shared output files in document order, so the parent no longer
copies every part into place (at 100k documents that copy was 0.5 s of the parent's
time, spent while both workers waited; issue #4).
"""

from __future__ import annotations

import multiprocessing
import time

#: seconds between two looks at whose turn it is (appending a part takes ~50 ms)
POLL = 0.0005


class TurnsAborted(RuntimeError):
    """Another task failed, so the turn this one waits for never comes."""


class Turns:
    """Whose turn it is, in memory that processes forked after its creation share."""

    def __init__(self):
        self._state = multiprocessing.RawArray("q", 2)  # [next turn, aborted]

    def wait_for(self, k: int) -> None:
        """Return when it is task `k`'s turn; raise TurnsAborted if it never will be."""
        state = self._state
        while state[0] != k:
            if state[1]:
                raise TurnsAborted(f"task {k} gave up its turn: an earlier task failed")
            time.sleep(POLL)

    def done(self, k: int) -> None:
        """Task `k` has acted: the next task's turn."""
        self._state[0] = k + 1

    def abort(self) -> None:
        """No turn comes any more; every waiting task raises TurnsAborted."""
        self._state[1] = 1
