"""The HTTP side of the forge stand-ins: a threaded server on 127.0.0.1 (a free port) that
answers a forge's REST API from a table of routes, with the CORS headers a browser page on
another origin needs, and a log of every request for the tests to assert on.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qsl, unquote, urlsplit


class ApiError(Exception):
    """An error answer: status and the forge's JSON body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


@dataclass
class Request:
    method: str
    path: str  # below the API root, percent-decoded once per segment as routed
    query: dict[str, str]
    body: object
    headers: dict[str, str]


@dataclass
class Answer:
    body: object = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Route = tuple[str, re.Pattern, Callable]


class ForgeServer:
    """Serves `routes` (method, pattern on the path below `root`, handler(request, **groups))."""

    def __init__(self, root: str, routes: list[Route], token: str, auth: Callable[[dict], str | None]):
        self.root = root.rstrip("/")
        self.routes = routes
        self.token = token
        self.auth = auth  # the token a request carries, from its headers
        self.log: list[tuple[str, str]] = []  # (method, path with query) of every API request
        self.failures: list[str] = []  # requests no route answered
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api(self) -> str:
        return self.url + self.root

    def start(self) -> ForgeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, method: str, pattern: str) -> list[str]:
        """The paths of the requests made with `method` whose path matches `pattern`."""
        return [path for m, path in self.log if m == method and re.fullmatch(pattern, path)]

    def answer(self, method: str, raw_path: str, headers: dict, body: bytes) -> Answer:
        split = urlsplit(raw_path)
        if not split.path.startswith(self.root + "/"):
            raise ApiError(404, {"message": "Not Found"})
        path = split.path[len(self.root):]
        self.log.append((method, path + (f"?{split.query}" if split.query else "")))
        if self.auth(headers) != self.token:
            raise ApiError(401, {"message": "Bad credentials"})
        payload = json.loads(body) if body else None
        request = Request(method, path, dict(parse_qsl(split.query)), payload, headers)
        for route_method, pattern, handler in self.routes:
            match = pattern.fullmatch(path) if route_method == method else None
            if match:
                groups = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                result = handler(request, **groups)
                return result if isinstance(result, Answer) else Answer(result)
        self.failures.append(f"{method} {path}")
        raise ApiError(404, {"message": "Not Found"})

    def _handler(self):
        forge = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status: int, body: object, extra: dict | None = None) -> None:
                if isinstance(body, bytes):  # a raw file
                    data, body = body, None
                    extra = {"Content-Type": "text/plain; charset=utf-8", **(extra or {})}
                else:
                    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Expose-Headers", "Link, ETag, X-Total, X-Total-Pages, X-Page, X-Per-Page, "
                                 "X-Gitlab-Blob-Id")
                if body is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the page went away (a reload) before the answer came

            def do_OPTIONS(self):  # the browser's preflight for Authorization and JSON bodies
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, HEAD")
                self.send_header("Access-Control-Allow-Headers",
                                 self.headers.get("Access-Control-Request-Headers", "*"))
                self.send_header("Access-Control-Max-Age", "600")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    result = forge.answer(self.command, self.path, headers, body)
                except ApiError as error:
                    self._send(error.status, error.body)
                    return
                except Exception as error:  # a bug of the stand-in: fail loudly in the test
                    forge.failures.append(f"{self.command} {self.path}: {error!r}")
                    self._send(500, {"message": repr(error)})
                    return
                self._send(result.status, result.body, result.headers)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        return Handler


def route(method: str, pattern: str) -> Callable:
    """Mark a method of a forge class as the handler of `method` `pattern` (named groups)."""

    def mark(function):
        function.route = (method, re.compile(pattern))
        return function

    return mark


def routes_of(forge: object) -> list[Route]:
    found = []
    for name in dir(type(forge)):
        function = getattr(type(forge), name)
        if hasattr(function, "route"):
            method, pattern = function.route
            found.append((method, pattern, getattr(forge, name)))
    # longer patterns first, so /pulls/1/merge is not taken by /pulls/(?P<n>.+)
    return sorted(found, key=lambda r: -len(r[1].pattern))


class StandIn:
    """What every forge stand-in has: a bare repository (`git`) behind an API that its
    ForgeServer (`server`) serves, with the forge's own answer for a branch it does not have."""

    NO_BRANCH = "Branch not found"  # the message of the 404

    def routes(self, placeholder: str, prefix: str) -> list[Route]:
        """The @route methods, `placeholder` in their patterns standing for `prefix` (a regex)."""
        return [(method, re.compile(pattern.pattern.replace(placeholder, prefix)), handler)
                for method, pattern, handler in routes_of(self)]

    @property
    def api(self) -> str:
        return self.server.api

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def branch_sha(self, branch: str) -> str:
        sha = self.git.ref(f"refs/heads/{branch}")
        if not sha:
            raise ApiError(404, {"message": self.NO_BRANCH})
        return sha
