"""Request validation and the OpenAPI document of the HTTP service.

Validation is hand-written against the same limits the OpenAPI schema
declares, so what the schema promises is what the server enforces (a test
fuzzes one against the other). Every rejection is a `RequestError` that the
app turns into a 4xx JSON body: {"error": {"code": ..., "message": ...}}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nearcopy.document import Document
from nearcopy.errors import ConfigError, ServiceError

#: ids: 1..MAX_ID_CHARS characters, no control characters (they appear in URLs and logs)
_ID_RE = re.compile(r"^[^\x00-\x1f\x7f]+$")
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
TEXT_PATTERN = r"\S"  # at least one character that is not white space


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Request limits; a request over one gets 413 (body) or 422 (the rest)."""

    max_body_bytes: int = 16 * 1024 * 1024
    max_batch: int = 256
    max_text_chars: int = 1_000_000
    max_id_chars: int = 256
    default_limit: int = 10
    max_limit: int = 100

    def __post_init__(self):
        for name in ("max_body_bytes", "max_batch", "max_text_chars", "max_id_chars",
                     "default_limit", "max_limit"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} {getattr(self, name)} must be at least 1")
        if self.default_limit > self.max_limit:
            raise ConfigError(f"default_limit {self.default_limit} exceeds max_limit "
                              f"{self.max_limit}")


class RequestError(ServiceError):
    """A request the service refuses; `status` is the 4xx code to answer with."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


def _invalid(message: str) -> RequestError:
    return RequestError(422, "invalid_request", message)


def _object(body: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(body, dict):
        raise _invalid(f"{where} must be a JSON object, not {_kind(body)}")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _invalid(f"{where}: unknown field '{unknown[0]}'; allowed: {', '.join(sorted(allowed))}")
    return body


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def _text(body: dict, limits: Limits, where: str) -> str:
    if "text" not in body:
        raise _invalid(f"{where}: 'text' is missing")
    text = body["text"]
    if not isinstance(text, str):
        raise _invalid(f"{where}: 'text' must be a string, not {_kind(text)}")
    if not text.strip():
        raise _invalid(f"{where}: 'text' is empty")
    if len(text) > limits.max_text_chars:
        raise RequestError(413, "text_too_long", f"{where}: 'text' has {len(text)} characters; "
                           f"the limit is {limits.max_text_chars}")
    return text


def _id(value: Any, limits: Limits, where: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{where}: 'id' must be a string, not {_kind(value)}")
    if not 1 <= len(value) <= limits.max_id_chars or not _ID_RE.match(value):
        raise _invalid(f"{where}: 'id' must be 1 to {limits.max_id_chars} characters without "
                       "control characters")
    return value


def parse_limit(body: dict, limits: Limits) -> int:
    value = body.get("limit", limits.default_limit)
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= limits.max_limit:
        raise _invalid(f"'limit' must be an integer from 1 to {limits.max_limit}")
    return value


def _document(item: Any, limits: Limits, where: str) -> Document:
    item = _object(item, {"id", "text", "metadata"}, where)
    if "id" not in item:
        raise _invalid(f"{where}: 'id' is missing")
    metadata = item.get("metadata", {})
    if not isinstance(metadata, dict):
        raise _invalid(f"{where}: 'metadata' must be an object, not {_kind(metadata)}")
    return Document(_id(item["id"], limits, where), _text(item, limits, where), metadata)


def parse_add(body: Any, limits: Limits) -> tuple[list[Document], int]:
    """One document {id, text, metadata?} or a batch {documents: [...], limit?}."""
    if isinstance(body, dict) and "documents" in body:
        body = _object(body, {"documents", "limit"}, "body")
        items = body["documents"]
        if not isinstance(items, list) or not items:
            raise _invalid("'documents' must be a non-empty array")
        if len(items) > limits.max_batch:
            raise RequestError(413, "batch_too_large", f"{len(items)} documents in one request; "
                               f"the limit is {limits.max_batch}")
        docs = [_document(item, limits, f"documents[{i}]") for i, item in enumerate(items)]
        return docs, parse_limit(body, limits)
    doc = _document(body, limits, "body")
    return [doc], limits.default_limit


def parse_query(body: Any, limits: Limits) -> tuple[str, int]:
    body = _object(body, {"text", "limit"}, "body")
    return _text(body, limits, "body"), parse_limit(body, limits)


def openapi(limits: Limits, version: str) -> dict:
    """The OpenAPI 3.0 document served at /openapi.json."""
    from nearcopy.service.openapi_doc import build
    return build(limits, version)
