"""A small synchronous client over httpx.ASGITransport that also runs the app's lifespan.

(Starlette's TestClient now wants the `httpx2` package; this keeps the tests on httpx.)
"""

from __future__ import annotations

import asyncio

import httpx


class AppClient:
    """Calls an ASGI app in-process; `with AppClient(app) as c: c.get("/healthz")`."""

    def __init__(self, app):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                      base_url="http://testserver")
        self._events: asyncio.Queue | None = None
        self._task = None

    def __enter__(self) -> AppClient:
        self.loop.run_until_complete(self._lifespan("startup"))
        return self

    def __exit__(self, *exc) -> None:
        self.loop.run_until_complete(self._lifespan("shutdown"))
        self.loop.run_until_complete(self.http.aclose())
        self.loop.run_until_complete(self._task)
        self.loop.close()

    async def _lifespan(self, event: str) -> None:
        if self._task is None:
            self._events, replies = asyncio.Queue(), asyncio.Queue()

            async def send(message):
                await replies.put(message)

            self._replies = replies
            self._task = self.loop.create_task(
                self.app({"type": "lifespan", "asgi": {"version": "3.0"}},
                         self._events.get, send))
        await self._events.put({"type": f"lifespan.{event}"})
        reply = await self._replies.get()
        assert reply["type"] == f"lifespan.{event}.complete", reply

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def put(self, url, **kw):
        return self.request("PUT", url, **kw)

    def delete(self, url, **kw):
        return self.request("DELETE", url, **kw)
