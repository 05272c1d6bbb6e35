"""Parquet input and output through pyarrow, read in record batches to bound memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nearcopy.document import Document
from nearcopy.errors import InputFormatError
from nearcopy.io.base import Reader, Writer, atomic_write

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
    """Writes records to Parquet in row groups; columns are inferred from the records."""

    suffix = ".parquet"

    def write(self, path: Path, records: Iterator[dict]) -> int:
        count = 0
        writer = None
        schema = None
        with atomic_write(Path(path)) as handle:
            batch: list[dict] = []
            for record in records:
                batch.append(record)
                count += 1
                if len(batch) >= BATCH_ROWS:
                    writer, schema = self._flush(handle, writer, schema, batch)
                    batch = []
            if batch or writer is None:
                writer, schema = self._flush(handle, writer, schema, batch)
            writer.close()
        return count

    @staticmethod
    def _flush(handle, writer, schema, batch):
        table = pa.Table.from_pylist(batch, schema=schema) if schema is not None else \
            pa.Table.from_pylist(batch)
        if writer is None:
            schema = table.schema
            writer = pq.ParquetWriter(handle, schema)
        writer.write_table(table)
        return writer, schema
