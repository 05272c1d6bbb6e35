"""HTTP service over the incremental index (needs the `service` extra: starlette, uvicorn).

Start it with `nearcopy serve --index PATH`; the API is in docs/service.md.
"""
