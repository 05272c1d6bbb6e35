"""Input shards of the distributed job: whole files, or byte ranges of large JSONL files.

Global document order is (file order, position in the file), the order of the
local job, so indices, ids and cluster numbers match it exactly. A plain
(uncompressed) JSONL file larger than `shard_bytes` is cut at line boundaries;
each piece learns the number of its first line from a newline count of the
pieces before it, so default ids (`name:line`) and error locations are the same
as when the file is read whole. Compressed and non-JSONL files are one shard each.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


from nearcopy.document import Document
from nearcopy.io.discover import InputFile, discover, make_reader
from nearcopy.io.jsonl import JsonlReader

DEFAULT_SHARD_BYTES = 64 * 1024 * 1024
SPLITTABLE = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Shard:
    """One task's share of the input: bytes [start, end) of a file (end -1: to the end)."""

    index: int
    path: str
    kind: str
    root: str | None
    start: int = 0
    end: int = -1
    first_line: int = 1

    def as_dict(self) -> dict:
        return asdict(self)


def split_points(path: Path, shard_bytes: int) -> list[int]:
    """Byte offsets just after a newline, about `shard_bytes` apart (0 first, size last)."""
    size = path.stat().st_size
    points = [0]
    with open(path, "rb") as handle:
        target = shard_bytes
        while target < size:
            handle.seek(target)
            handle.readline()
            cut = handle.tell()
            if cut >= size:
                break
            if cut > points[-1]:
                points.append(cut)
            target = cut + shard_bytes
    points.append(size)
    return points


def count_newlines(payload) -> int:
    """Worker: newlines in bytes [start, end) of a file."""
    path, start, end = payload
    count = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            block = handle.read(min(left, 1 << 24))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count


def plan_shards(paths: list[str | Path], shard_bytes: int, executor) -> list[Shard]:
    """Shards of the corpus in global order; newline counts run on the executor."""
    shards: list[Shard] = []
    for item in discover(paths):
        name = item.path.name.lower()
        root = str(item.root) if item.root is not None else None
        if item.kind != "jsonl" or not name.endswith(SPLITTABLE):
            shards.append(Shard(len(shards), str(item.path), item.kind, root))
            continue
        points = split_points(item.path, shard_bytes)
        ranges = list(itertools.pairwise(points)) or [(0, 0)]
        counts = list(executor.map_ordered(count_newlines,
                                           [(str(item.path), a, b) for a, b in ranges[:-1]]))
        line = 1
        for (start, end), before in zip(ranges, [0] + counts):
            line += before
            shards.append(Shard(len(shards), str(item.path), item.kind, root, start, end, line))
    return shards


def shard_documents(shard: Shard, *, skips, id_field: str, text_field: str,
                    max_doc_chars: int) -> Iterator[Document]:
    """The documents of one shard, in file order (repeated ids are not removed here)."""
    kwargs = {"id_field": id_field, "text_field": text_field, "skips": skips,
                  "max_doc_chars": max_doc_chars}
    item = InputFile(Path(shard.path), shard.kind, Path(shard.root) if shard.root else None)
    if shard.end < 0:
        return make_reader(item, **kwargs).read_file(item.path)
    return RangeJsonlReader(shard.start, shard.end, shard.first_line, **kwargs).read_file(item.path)


class RangeJsonlReader(JsonlReader):
    """A JsonlReader over bytes [start, end) of a file whose line `first_line` starts at start.

    Lines are parsed by `JsonlReader.parse_line` (same skips, same default ids); only
    the first line number and the stopping point differ.
    """

    def __init__(self, start: int, end: int, first_line: int, **kwargs):
        super().__init__(**kwargs)
        self.start, self.end, self.first_line = start, end, first_line

    def _read_lines(self, handle: IO[bytes], path: Path) -> Iterator[Document]:
        handle.seek(self.start)
        left = self.end - self.start
        lineno = self.first_line - 1
        while left > 0:
            raw = handle.readline()
            if not raw:
                break
            left -= len(raw)
            lineno += 1
            doc = self.parse_line(raw, path, lineno)
            if doc is not None:
                yield doc
