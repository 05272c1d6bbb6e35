"""Start the service: refuse unsafe binds, read the token, open the index, run uvicorn.

Loopback by default. A non-loopback address without a token is refused unless
`insecure=True`: an open index on a network lets anyone read ids and add or
delete documents. All checks run before the port is bound.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

from nearcopy.errors import MissingDependencyError, ServiceError
from nearcopy.service.schemas import Limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_bind(host: str, token: str | None, insecure: bool) -> None:
    if not is_loopback(host) and token is None and not insecure:
        raise ServiceError(f"refusing to listen on {host} without a token: anyone who can reach "
                           "it could read and change the index. Give --token-file FILE, or "
                           "--insecure if the network is trusted")


def read_token(path: str | Path) -> str:
    """The bearer token: the file's content without surrounding white space."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(f"cannot read token file {path}: {exc}") from exc
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() or not c.isprintable() for c in token):
        raise ServiceError(f"token in {path} must be at least {MIN_TOKEN_CHARS} printable "
                           "characters without spaces; e.g. `python -c 'import secrets; "
                           "print(secrets.token_urlsafe(32))' > token.txt`")
    return token


def serve(index_path: str | Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          token_file: str | Path | None = None, insecure: bool = False,
          limits: Limits | None = None, synchronous: str = "FULL",
          log_level: str = "warning") -> None:
    """Serve the index until interrupted (SIGINT/SIGTERM finish queued writes first)."""
    try:
        import uvicorn

        from nearcopy.service.app import create_app
    except ImportError as exc:
        raise MissingDependencyError("nearcopy serve", "service") from exc
    from nearcopy.index.index import Index

    if not 0 <= port <= 65535:
        raise ServiceError(f"port {port} must be between 0 and 65535")
    token = read_token(token_file) if token_file else None
    check_bind(host, token, insecure)
    index = Index.open(index_path, synchronous=synchronous)
    try:
        # Load the language model and the compiled kernels now, not in the first request.
        index.query("Warm-up query: the server loads its models before it listens.")
        app = create_app(index, limits=limits, token=token)
        config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                access_log=False, lifespan="on", timeout_graceful_shutdown=10)
        server = uvicorn.Server(config)
        print(f"nearcopy: serving {index_path} ({len(index)} documents) on "
              f"http://{host}:{port}", file=sys.stderr, flush=True)
        try:
            server.run()
        except SystemExit as exc:  # uvicorn exits when it cannot bind
            raise ServiceError(f"could not listen on {host}:{port} (in use, or not "
                               "allowed?)") from exc
        if not server.started:
            raise ServiceError(f"could not listen on {host}:{port} (in use, or not allowed?)")
    finally:
        index.close()
