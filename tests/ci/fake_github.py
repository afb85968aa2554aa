"""A fake of the few GitHub REST endpoints CI posting uses, served on loopback for tests."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_fakeTokenThatMustNeverBePrinted000000"
REPO = "acme/layers-config"


@dataclass
class FakeGitHub:
    url: str = ""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by issue number
    issues: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    next_id: int = 1000
    # The token's user: None answers `GET /user` with 403, as GitHub does for an installation
    # token (a workflow's GITHUB_TOKEN, a GitHub App's), which writes as `<app_slug>[bot]`;
    # GraphQL's `viewer` names that account, `GET /app` refuses the token (it takes a JWT).
    login: str | None = None
    app_slug: str = "github-actions"
    # Answers given instead of the real one, first to last: (status, headers, message).
    faults: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    # Requests answered 403 "Resource not accessible by integration" (a fork's token), by method.
    read_only: bool = False

    @property
    def author(self) -> str:
        return self.login or f"{self.app_slug}[bot]"

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def bodies(self, number: int) -> list[str]:
        return [c["body"] for c in sorted(self.comments.get(number, []), key=lambda c: c["id"])]

    def writes(self) -> list[str]:
        return [c for c in self.calls if not c.startswith(("GET", "POST /graphql"))]


def _handler(gh: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    base = f"/repos/{REPO}/issues"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _send(
            self, status: int, body: Any = None, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            n = int(self.headers.get("Content-Length") or 0)
            parsed: dict[str, Any] = json.loads(self.rfile.read(n) or b"{}")
            return parsed

        def _page(
            self, items: list[dict[str, Any]], path: str, query: dict[str, list[str]]
        ) -> None:
            per = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per : page * per]
            headers = {}
            if page * per < len(items):
                rest = "&".join(f"{k}={v[0]}" for k, v in query.items() if k != "page")
                headers["Link"] = f'<{gh.url}{path}?{rest}&page={page + 1}>; rel="next"'
            self._send(200, chunk, headers)

        def _route(self, method: str) -> None:
            split = urlsplit(self.path)
            path, query = split.path, parse_qs(split.query)
            gh.calls.append(f"{method} {path}")
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"message": "Bad credentials"})
                return
            if gh.faults:
                status, headers, message = gh.faults.pop(0)
                self._send(status, {"message": message}, headers)
                return
            if path == "/graphql" and method == "POST":
                query = self._body().get("query", "")
                if "viewer" not in query:
                    self._send(200, {"errors": [{"message": "unsupported by the fake"}]})
                    return
                self._send(200, {"data": {"viewer": {"login": gh.author}}})
                return
            if path == "/app":
                self._send(401, {"message": "A JSON web token could not be decoded"})
                return
            if path == "/user":
                if gh.login is None:
                    self._send(403, {"message": "Resource not accessible by integration"})
                else:
                    self._send(200, {"login": gh.login, "id": 1})
                return
            if gh.read_only and method != "GET":
                self._send(403, {"message": "Resource not accessible by integration"})
                return
            if m := re.fullmatch(re.escape(base) + r"/(\d+)/comments", path):
                number = int(m.group(1))
                items = gh.comments.setdefault(number, [])
                if method == "GET":
                    self._page(sorted(items, key=lambda c: c["id"]), path, query)
                    return
                item = {
                    "id": gh.new_id(),
                    "body": self._body()["body"],
                    "user": {"login": gh.author},
                }
                items.append(item)
                self._send(201, item)
                return
            if m := re.fullmatch(re.escape(base) + r"/comments/(\d+)", path):
                cid = int(m.group(1))
                for items in gh.comments.values():
                    for c in items:
                        if c["id"] == cid:
                            if method == "DELETE":
                                items.remove(c)
                                self._send(204)
                            else:
                                c["body"] = self._body()["body"]
                                self._send(200, c)
                            return
                self._send(404, {"message": "Not Found"})
                return
            if path == base:
                if method == "GET":
                    label = query.get("labels", [""])[0]
                    state = query.get("state", ["open"])[0]
                    found = [
                        i
                        for i in gh.issues
                        if i["state"] == state and (not label or label in i["labels"])
                    ]
                    self._page(found, path, query)
                    return
                body = self._body()
                issue = {
                    "number": len(gh.issues) + 1,
                    "state": "open",
                    "title": body["title"],
                    "body": body["body"],
                    "labels": body.get("labels", []),
                    "user": {"login": gh.author},
                }
                gh.issues.append(issue)
                self._send(201, issue)
                return
            if m := re.fullmatch(re.escape(base) + r"/(\d+)", path):
                issue = gh.issues[int(m.group(1)) - 1]
                issue.update({k: v for k, v in self._body().items() if k != "state_reason"})
                self._send(200, issue)
                return
            self._send(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PATCH(self) -> None:
            self._route("PATCH")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    gh = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gh))
    gh.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gh
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
