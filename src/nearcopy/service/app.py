"""The HTTP API: thin Starlette handlers over `nearcopy.index.Index`.

CPU work (cleaning, sketching, matching reads) runs in the thread pool; every
write goes to the single `WriteQueue` thread. Each handler answers JSON, and a
refused request is a 4xx with {"error": {"code", "message"}}; an unexpected
failure is logged and answered 500 in the same shape, never a dropped socket.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import logging
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
import anyio
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nearcopy import __version__
from nearcopy.document import Document
from nearcopy.errors import StorageError
from nearcopy.index.index import Index
from nearcopy.service import schemas
from nearcopy.service.schemas import Limits, RequestError
from nearcopy.service.writer import WriteQueue

log = logging.getLogger("nearcopy.service")
OPEN_PATHS = ("/healthz",)
#: threads doing CPU work for requests at once (see Handlers._cpu_bound)
CPU_THREADS = 2


def json_response(data, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return json_response({"error": {"code": code, "message": message}}, status)


def endpoint(fn):
    """Turn every failure of a handler into a JSON error response."""
    @functools.wraps(fn)
    async def wrapper(*args) -> Response:
        request: Request = args[-1]
        try:
            return await fn(*args)
        except RequestError as exc:
            return json_response(exc.body(), exc.status)
        except StorageError as exc:
            log.error("storage error: %s", exc)
            return _error(503, "storage_unavailable", str(exc))
        except Exception:
            log.exception("unexpected error in %s", request.url.path)
            return _error(500, "internal_error", "unexpected server error; see the server log")
    return wrapper


async def read_json(request: Request, limits: Limits):
    """The body parsed as JSON, refusing it (413) as soon as it passes the size limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise RequestError(413, "body_too_large", f"body of {declared} bytes; the limit is "
                           f"{limits.max_body_bytes}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise RequestError(413, "body_too_large",
                               f"body over the limit of {limits.max_body_bytes} bytes")
        chunks.append(chunk)
    try:
        return orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, "invalid_json", f"body is not valid UTF-8 JSON: {exc}") from exc


class Handlers:
    """The routes, bound to one index, its writer and the limits."""

    def __init__(self, index: Index, writer: WriteQueue, limits: Limits):
        self.index, self.writer, self.limits = index, writer, limits
        self._cpu = None  # made on first use: a limiter belongs to the running event loop

    async def _cpu_bound(self, fn, *args):
        """Run CPU work (cleaning, sketching, matching) in at most CPU_THREADS threads at once.

        The work holds the GIL; 8 requests in 8 threads share it in 5 ms slices and all
        finish late together, while 2 at a time finish in arrival order.
        """
        if self._cpu is None:
            self._cpu = anyio.CapacityLimiter(CPU_THREADS)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._cpu)

    @endpoint
    async def add(self, request: Request) -> Response:
        docs, limit = schemas.parse_add(await read_json(request, self.limits), self.limits)
        batch = await self._cpu_bound(self.index.prepare, docs)
        results = await asyncio.wrap_future(self.writer.add(batch))
        return json_response({"results": [r.to_dict(limit) for r in results]})

    @endpoint
    async def query(self, request: Request) -> Response:
        text, limit = schemas.parse_query(await read_json(request, self.limits), self.limits)
        matches, dropped = await self._cpu_bound(self._query, text, limit)
        return json_response({"copies": [m.to_dict() for m in matches], "dropped": dropped})

    def _query(self, text: str, limit: int):
        batch = self.index.prepare([Document("query", text)])
        return self.index.query_prepared(batch, limit=limit)[0], batch.dropped[0]

    @endpoint
    async def get(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        doc = await run_in_threadpool(self.index.get, doc_id)
        if doc is None:
            raise RequestError(404, "not_found", f"no document with id {doc_id!r}")
        return json_response({"id": doc.id, "length": doc.length, "added_at": doc.added_at,
                              "copies": doc.copies, "metadata": doc.metadata})

    @endpoint
    async def delete(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        removed = await asyncio.wrap_future(self.writer.call(lambda: self.index.remove(doc_id)))
        if not removed:
            raise RequestError(404, "not_found", f"no document with id {doc_id!r}")
        return json_response({"id": doc_id, "deleted": True})

    @endpoint
    async def stats(self, request: Request) -> Response:
        return json_response(await run_in_threadpool(self.index.stats))

    @endpoint
    async def health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    @endpoint
    async def openapi(self, request: Request) -> Response:
        return json_response(schemas.openapi(self.limits, __version__))


class BearerAuth:
    """ASGI middleware: every path but /healthz needs `Authorization: Bearer <token>`."""

    def __init__(self, app, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"authorization", b"")
        if not hmac.compare_digest(given, self.expected):
            response = _error(401, "unauthorized", "missing or wrong bearer token")
            response.headers["WWW-Authenticate"] = "Bearer"
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return _error(exc.status_code, code, str(exc.detail))


def create_app(index: Index, *, limits: Limits | None = None, token: str | None = None):
    """The ASGI app; its lifespan starts and stops the writer thread (not the index)."""
    limits = limits or Limits()
    writer = WriteQueue(index)
    h = Handlers(index, writer, limits)

    @asynccontextmanager
    async def lifespan(app):
        writer.start()
        try:
            yield
        finally:
            await run_in_threadpool(writer.stop)

    routes = [Route("/v1/documents", h.add, methods=["POST"]),
              Route("/v1/query", h.query, methods=["POST"]),
              Route("/v1/documents/{doc_id:path}", h.get, methods=["GET"]),
              Route("/v1/documents/{doc_id:path}", h.delete, methods=["DELETE"]),
              Route("/v1/stats", h.stats, methods=["GET"]),
              Route("/healthz", h.health, methods=["GET"]),
              Route("/openapi.json", h.openapi, methods=["GET"])]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error})
    app.state.writer = writer
    return BearerAuth(app, token) if token else app
