"""Read a run's output folder for the report and `explain`, streaming and tolerant.

A folder may come from `run`, `dedup` or `clean`, may be half-written or use
Parquet; every reader here returns empty results for a missing file instead of
failing, because a report of what is there beats no report. The large files
(kept/removed, millions of lines) are scanned in blocks with a cheap byte test
on the leading `{"id":"...` (the writers put `id` first), so only the few
wanted records are parsed, and a scan stops once every wanted id is found.
"""

from __future__ import annotations

import heapq
import mmap
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

RECORD_FILES = ("kept", "removed", "dropped")
_ID_PREFIX = b'{"id":"'


def read_json(path: Path) -> dict:
    """The JSON object in `path`, or {} when it is missing or unreadable."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def read_config_text(out_dir: Path) -> tuple[str, str]:
    """(file name, text) of the resolved configuration the run wrote, if any."""
    for name in ("config.toml", "clean_config.json"):
        try:
            return name, (out_dir / name).read_text(encoding="utf-8")
        except OSError:
            continue
    return "", ""


def read_config(out_dir: Path) -> dict:
    """The resolved configuration as a dict (config.toml, else clean_config.json)."""
    name, text = read_config_text(out_dir)
    if name.endswith(".toml"):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}
    return read_json(out_dir / name) if name else {}


def iter_jsonl(path: Path) -> Iterator[dict]:
    """Every JSON object of a JSONL file; missing file -> nothing, bad line -> skipped."""
    try:
        handle = path.open("rb")
    except OSError:
        return
    with handle:
        for line in handle:
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record


def record_path(out_dir: Path, name: str) -> Path | None:
    """`name`.jsonl or `name`.parquet in `out_dir`, whichever exists."""
    for suffix in (".jsonl", ".parquet"):
        path = out_dir / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def first_containing(path: Path, needle: bytes, limit: int) -> list[dict]:
    """The first `limit` records whose raw line contains `needle` (parses only those).

    The needle is looked for in the file mapped into memory, not line by line nor in
    blocks read and joined: in the kept.jsonl of a `run` over 20,000 documents of
    generated prose (48 MB), where few records hold one, the line loop took 77 ms of
    the job's serial end, blocks of lines 25-39 ms, the mapped file 9 ms."""
    found: list[dict] = []
    try:
        handle = path.open("rb")
    except OSError:
        return found
    with handle:
        try:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):  # an empty file, or one that cannot be mapped
            return found  # (the report shows no examples then)
        with mapped:
            at = mapped.find(needle)
            while at >= 0 and len(found) < limit:
                start = mapped.rfind(b"\n", 0, at) + 1
                end = mapped.find(b"\n", at)
                end = len(mapped) if end < 0 else end
                try:
                    found.append(orjson.loads(mapped[start:end]))
                except orjson.JSONDecodeError:
                    pass
                at = mapped.find(needle, end)
    return found


def _lines(path: Path, chunk_size: int = 1 << 24) -> Iterator[list[bytes]]:
    """Whole lines in blocks: split in C, about 2x faster than `for line in handle`."""
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(chunk_size):
            block = tail + chunk
            cut = block.rfind(b"\n") + 1
            tail = block[cut:]
            yield block[:cut].split(b"\n")
        if tail:
            yield [tail]


def _scan_jsonl(path: Path, wanted: set[str]) -> Iterator[dict]:
    keys = {doc_id.encode("utf-8", "surrogatepass") for doc_id in wanted}
    start = len(_ID_PREFIX)
    for lines in _lines(path):
        for line in lines:
            if line.startswith(_ID_PREFIX) and line[start:line.find(b'"', start)] not in keys:
                continue  # the common case: an id-first record we do not want
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(record, dict) and str(record.get("id")) in wanted:
                yield record


def _scan_parquet(path: Path, wanted: set[str]) -> Iterator[dict]:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    table = ds.dataset(path).to_table(filter=pc.field("id").isin(sorted(wanted)))
    yield from table.to_pylist()


def find_records(path: Path | None, ids: Iterable[str]) -> dict[str, dict]:
    """Records of `path` whose id is in `ids`; stops reading once all are found."""
    wanted = {str(i) for i in ids}
    found: dict[str, dict] = {}
    if path is None or not wanted:
        return found
    scan = _scan_parquet if path.suffix == ".parquet" else _scan_jsonl
    for record in scan(path, wanted):
        found.setdefault(str(record["id"]), record)
        if len(found) == len(wanted):
            break
    return found


def find_documents(out_dir: Path, ids: Iterable[str]) -> dict[str, tuple[str, dict]]:
    """id -> (file name, record), looking in examples, removed, dropped then kept outputs.

    `examples.jsonl` (optional: records with a "file" key naming kept/removed,
    written by the run beside its outputs) spares a full scan of a large run.
    """
    missing = {str(i) for i in ids}
    found: dict[str, tuple[str, dict]] = {}
    for record in iter_jsonl(out_dir / "examples.jsonl"):
        doc_id = str(record.get("id"))
        if doc_id in missing and record.get("file") in RECORD_FILES:
            found[doc_id] = (record.pop("file"), record)
    missing -= set(found)
    for name in ("removed", "dropped", "kept"):
        if not missing:
            break
        for doc_id, record in find_records(record_path(out_dir, name), missing).items():
            found[doc_id] = (name, record)
        missing -= set(found)
    return found


def scan_clusters(out_dir: Path, top: int) -> tuple[list[dict], Counter]:
    """The `top` largest clusters and the count of clusters of each size."""
    sizes: Counter[int] = Counter()
    largest: list[tuple[int, int, dict]] = []
    for order, cluster in enumerate(iter_jsonl(out_dir / "clusters.jsonl")):
        size = int(cluster.get("size") or len(cluster.get("members") or ()))
        sizes[size] += 1
        item = (size, -order, cluster)
        if len(largest) < top:
            heapq.heappush(largest, item)
        elif item[:2] > largest[0][:2]:
            heapq.heapreplace(largest, item)
    ranked = sorted(largest, key=lambda item: item[:2], reverse=True)
    return [cluster for _, _, cluster in ranked], sizes


def find_cluster(out_dir: Path, cluster_id: str) -> dict | None:
    """One cluster of clusters.jsonl by id (parses only the matching line)."""
    prefix = b'{"cluster_id":' + orjson.dumps(cluster_id)
    try:
        handle = (out_dir / "clusters.jsonl").open("rb")
    except OSError:
        return None
    with handle:
        for line in handle:
            if line.startswith(prefix):
                return orjson.loads(line)
    return None
