"""Parquet input and output through pyarrow, read in record batches to bound memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nearcopy.document import Document
from nearcopy.errors import ConfigError, InputFormatError
from nearcopy.io.base import Reader, Writer

BATCH_ROWS = 4096


class ParquetReader(Reader):
    """Reads rows of a Parquet file; row numbers (1-based) stand in for line numbers."""

    suffixes = (".parquet", ".pq")

    def read_file(self, path: Path) -> Iterator[Document]:
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFormatError(f"not a readable Parquet file: {exc}", path=str(path)) from exc
        names = parquet.schema_arrow.names
        if self.text_field not in names:
            raise InputFormatError(f"no '{self.text_field}' column (columns: {', '.join(names)});"
                                   " choose one with --text-field", path=str(path))
        row = 0
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            for record in batch.to_pylist():
                row += 1
                doc = self.record_to_document(record, path, row, default_id=f"{path.name}:{row}")
                if doc is not None:
                    yield doc


class ParquetWriter(Writer):
    """Writes records to Parquet in row groups; the schema is taken from the first group.

    Columns missing from a later record are written as nulls; a column first seen
    after the first row group cannot be added (Parquet has one schema per file),
    so the caller passes records with a stable set of keys.
    """

    suffix = ".parquet"

    def __init__(self, path: Path):
        super().__init__(path)
        self._rows: list[dict] = []
        self._writer: pq.ParquetWriter | None = None

    def write(self, record: dict) -> None:
        self._rows.append(record)
        self.count += 1
        if len(self._rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        try:
            if self._writer is None:
                table = pa.Table.from_pylist(self._rows)
                self._writer = pq.ParquetWriter(self._handle, table.schema)
            else:
                table = pa.Table.from_pylist(self._rows, schema=self._writer.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ConfigError(f"cannot write {self.path.name} as Parquet: an input field "
                              f"changes type between records ({exc}); use --format jsonl") from exc
        self._writer.write_table(table)
        self._rows = []

    def _finish(self) -> None:
        if self._rows or self._writer is None:
            self._flush()
        self._writer.close()

    def abort(self) -> None:
        if self._writer is not None and self._writer.is_open:
            self._writer.close()  # it would write its footer to a closed file when collected
        super().abort()
