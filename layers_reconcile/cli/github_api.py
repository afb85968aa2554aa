"""The few GitHub REST calls CI needs: keep one pull-request comment per part of a plan, and one
open "drift" issue. Found again by the hidden marker each body starts with, so every push
updates in place instead of piling up comments.

Talks to `GITHUB_API_URL` with `GITHUB_TOKEN` (what Actions provides); the token is never shown.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from layers_reconcile.errors import ReconcileError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_MARKER = "<!-- layers-reconcile -->"
BODY_LIMIT = 65_536  # GitHub refuses longer comment and issue bodies
RETRY_BUDGET = 120.0  # seconds all the waits of one request may add up to
MAX_PAGES = 100  # of 100 items: a pull request's comments or the open drift issues
_MARKER = re.compile(r"<!--[^\n]*?-->")
# The markers the tool writes (`render/marker.py`): where a file given after another starts.
_TOOL_MARKER = re.compile(r"<!-- layers-reconcile(?:-[a-z]+)?(?: workspace=[A-Za-z0-9_.-]+)? -->")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def split_parts(text: str) -> list[str]:
    """The parts of a rendered markdown file: each starts with the same hidden marker line
    (`plan --format markdown` prints them one after another), or with another marker of the tool
    (a second file: another workspace's plan, an apply report). A text without a marker is one
    part, given the default marker."""
    lines = text.splitlines(keepends=True)
    first = lines[0].strip() if lines else ""
    if not _MARKER.fullmatch(first):
        return [DEFAULT_MARKER + "\n" + text] if text.strip() else []
    parts: list[list[str]] = []
    for line in lines:
        if not parts or line.strip() == first or _TOOL_MARKER.fullmatch(line.strip()):
            parts.append([])
        parts[-1].append(line)
    return ["".join(p).rstrip("\n") + "\n" for p in parts]


def by_marker(parts: list[str]) -> list[list[str]]:
    """`parts` grouped by their marker, in the order the markers first appear: each group is
    the set of comments one marker owns."""
    groups: dict[str, list[str]] = {}
    for part in parts:
        groups.setdefault(marker_of(part), []).append(part)
    return list(groups.values())


def marker_of(part: str) -> str:
    return part.split("\n", 1)[0].strip()


def graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint beside its REST API: `https://api.github.com/graphql`, and
    `https://HOST/api/graphql` for Enterprise Server's `https://HOST/api/v3`."""
    base = api_url.rstrip("/")
    if base.endswith("/api/v3"):
        return base[: -len("/v3")] + "/graphql"
    return base + "/graphql"


def check_repo(repo: str) -> str:
    if not _REPO.match(repo) or ".." in repo:
        raise ReconcileError(f"--repo {repo!r} is not OWNER/NAME")
    return repo


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        counts = [
            (len(self.created), "created"),
            (len(self.updated), "updated"),
            (len(self.unchanged), "unchanged"),
            (len(self.deleted), "deleted"),
        ]
        return ", ".join(f"{n} {word}" for n, word in counts if n) or "nothing to do"


class GitHub:
    """An `httpx.AsyncClient` on the GitHub REST API; use `async with`."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry_budget: float = RETRY_BUDGET,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._budget = retry_budget
        self._sleep = sleep
        self._now = now
        self._login: str | None = None
        if not token:
            raise ReconcileError("GITHUB_TOKEN is not set: the GitHub API needs it to post")
        self._http = httpx.AsyncClient(
            base_url=api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "layers-reconcile",
            },
            transport=transport,
            timeout=timeout,
        )

    async def __aenter__(self) -> GitHub:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._http.aclose()

    async def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request, repeated on GitHub's 429, its secondary rate limit (a 403 with
        `Retry-After` or no requests left), a 5xx or a lost connection: it waits as GitHub
        says (`Retry-After`, `x-ratelimit-reset`), else backs off 1, 2, 4 … s, all within
        `retry_budget` seconds in total."""
        spent = 0.0
        attempt = 0
        while True:
            try:
                response = await self._http.request(method, url, **kw)
            except httpx.HTTPError as exc:
                wait = _backoff(attempt)
                if spent + wait > self._budget:
                    raise ReconcileError(
                        f"could not reach the GitHub API: {type(exc).__name__}"
                    ) from exc
            else:
                if response.status_code < 400:
                    return response
                wait_for = _retry_after(response, attempt, now=self._now())
                if wait_for is None or spent + wait_for > self._budget:
                    raise ReconcileError(
                        _refusal(method, url, response, gave_up=wait_for is not None)
                    )
                wait = wait_for
            attempt += 1
            spent += wait
            await self._sleep(wait)

    async def _pages(self, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        query: dict[str, Any] | None = {**params, "per_page": 100}
        pages = 0
        while next_url is not None:
            response = await self._call("GET", next_url, params=query)
            page = response.json()
            if not isinstance(page, list):
                raise ReconcileError(f"GitHub answered {url} with something that is not a list")
            items.extend(i for i in page if isinstance(i, dict))
            found = _NEXT.search(response.headers.get("link", ""))
            next_url, query = (self._same_origin(found.group(1)), None) if found else (None, None)
            pages += 1
            if next_url is not None and pages >= MAX_PAGES:
                raise ReconcileError(f"GitHub answered {url} with more than {MAX_PAGES} pages")
        return items

    def _same_origin(self, link: str) -> str:
        """A `rel="next"` link, followed only on the API's own origin: the token goes with it."""
        base, target = self._http.base_url, httpx.URL(link)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise ReconcileError(
                f"GitHub's next-page link leaves {base.scheme}://{base.host}: not followed"
            )
        return link

    async def login(self) -> str:
        """Who the token writes as. A person's token: `GET /user`. An installation token (a
        workflow's GITHUB_TOKEN, a GitHub App's) is refused `/user` with 403, and `/app` takes
        only the App's JWT; such a token acts as `<app-slug>[bot]`, which GraphQL's `viewer`
        names (`github-actions[bot]` for a GITHUB_TOKEN)."""
        if self._login is None:
            try:
                me = (await self._call("GET", "/user")).json()
            except ReconcileError as exc:
                if "answered 403" not in str(exc):
                    raise
                me = await self._viewer()
            login = me.get("login") if isinstance(me, dict) else None
            if not isinstance(login, str) or not login:
                raise ReconcileError("GitHub answered GET /user without a login")
            self._login = login
        return self._login

    async def _viewer(self) -> dict[str, Any]:
        """The GraphQL `viewer` of an installation token: the App's bot account."""
        query = {"query": "query { viewer { login } }"}
        answer = await self._call("POST", graphql_url(str(self._http.base_url)), json=query)
        body = answer.json()
        data = body.get("data") if isinstance(body, dict) else None
        viewer = data.get("viewer") if isinstance(data, dict) else None
        if not isinstance(viewer, dict) or not isinstance(viewer.get("login"), str):
            raise ReconcileError(
                "GitHub answered GET /user with 403 (an installation token) and GraphQL's "
                "viewer without a login: cannot tell which comments are this token's own"
            )
        return viewer

    async def upsert_comments(self, repo: str, number: int, parts: list[str]) -> Outcome:
        """Make the pull request's comments with the parts' marker exactly `parts`, in order:
        update in place, add the missing, delete the surplus (a plan that shrank)."""
        if not parts:
            raise ReconcileError("nothing to post: the file is empty")
        marker = marker_of(parts[0])
        base = f"/repos/{check_repo(repo)}/issues"
        comments = await self._pages(f"{base}/{number}/comments", {})
        me = await self.login()
        older = _unnamed(marker)
        ours = sorted(
            (c for c in comments if _ours(c, marker, me) or _ours(c, older, me)),
            key=lambda c: int(c["id"]),
        )
        outcome = Outcome()
        for i, part in enumerate(parts):
            body = _fit(part)
            if i < len(ours):
                cid = int(ours[i]["id"])
                if ours[i].get("body") == body:
                    outcome.unchanged.append(cid)
                else:
                    await self._call("PATCH", f"{base}/comments/{cid}", json={"body": body})
                    outcome.updated.append(cid)
            else:
                made = await self._call("POST", f"{base}/{number}/comments", json={"body": body})
                outcome.created.append(int(made.json()["id"]))
        for extra in ours[len(parts) :]:
            await self._call("DELETE", f"{base}/comments/{int(extra['id'])}")
            outcome.deleted.append(int(extra["id"]))
        return outcome

    async def drift_issue(
        self, repo: str, *, drifted: bool, body: str, title: str, label: str, closing_note: str
    ) -> str:
        """Keep one open issue, found by its marker: open or update it while `drifted`, close it
        (with a note) once in sync. Returns what it did, in words."""
        base = f"/repos/{check_repo(repo)}/issues"
        marker = marker_of(body)
        listed = await self._pages(base, {"state": "open", "labels": label})
        me = await self.login()
        older = _unnamed(marker)
        found = next(
            (
                i
                for i in listed
                if "pull_request" not in i and (_ours(i, marker, me) or _ours(i, older, me))
            ),
            None,
        )
        if not drifted:
            if found is None:
                return "in sync; no drift issue is open"
            number = int(found["number"])
            await self._call("POST", f"{base}/{number}/comments", json={"body": closing_note})
            await self._call(
                "PATCH", f"{base}/{number}", json={"state": "closed", "state_reason": "completed"}
            )
            return f"in sync; closed drift issue #{number}"
        text = _fit(body)
        if found is None:
            made = await self._call(
                "POST", base, json={"title": title, "body": text, "labels": [label]}
            )
            return f"opened drift issue #{made.json()['number']}"
        number = int(found["number"])
        if found.get("body") == text and found.get("title") == title:
            return f"drift issue #{number} is up to date"
        await self._call("PATCH", f"{base}/{number}", json={"title": title, "body": text})
        return f"updated drift issue #{number}"


def _unnamed(marker: str) -> str:
    """The marker without its workspace: what every comment and issue had before markers named
    the workspace, taken over by the first workspace that posts."""
    return marker.split(" workspace=", 1)[0] + " -->" if " workspace=" in marker else marker


def _ours(item: dict[str, Any], marker: str, login: str) -> bool:
    """A comment or issue this tool wrote: its first line is `marker` and the token's own user
    wrote it (a person's comment that quotes the marker is never touched)."""
    first = str(item.get("body") or "").split("\n", 1)[0].strip()
    user = item.get("user")
    author = user.get("login") if isinstance(user, dict) else None
    return first == marker and author == login


def _fit(body: str) -> str:
    """GitHub's limit; the markdown renderer keeps parts under it, this guards anything else."""
    if len(body) <= BODY_LIMIT:
        return body
    note = "\n\n… cut at GitHub's size limit; the whole text is in the job's summary.\n"
    return body[: BODY_LIMIT - len(note)] + note


def _backoff(attempt: int) -> float:
    return float(min(2**attempt, 30))


def _retry_after(response: httpx.Response, attempt: int, *, now: float) -> float | None:
    """Seconds to wait before asking again, or None when the answer is final."""
    status = response.status_code
    headers = response.headers
    limited = status == 429 or (
        status == 403
        and (
            "retry-after" in headers
            or headers.get("x-ratelimit-remaining") == "0"
            or "rate limit" in _message(response).lower()
        )
    )
    if not limited and status < 500:
        return None
    after = headers.get("retry-after", "")
    if after.strip().isdigit():
        return float(after.strip())
    reset = headers.get("x-ratelimit-reset", "")
    if limited and reset.strip().isdigit():
        return max(0.0, float(reset.strip()) - now)
    return _backoff(attempt)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _refusal(method: str, url: str, response: httpx.Response, *, gave_up: bool) -> str:
    status = response.status_code
    message = _message(response)
    text = f"GitHub answered {status} to {method} {httpx.URL(url).path or url}" + (
        f": {message}" if message else ""
    )
    if gave_up:
        return text + f" (still after waiting; gave up at the {RETRY_BUDGET:g} s retry budget)"
    if status == 403 and method != "GET":
        text += (
            ". The token may not write here: a pull request from a fork gets a read-only "
            "GITHUB_TOKEN (the plan workflow skips forks; plan them from a branch of this "
            "repository), and the workflow needs `permissions: pull-requests: write` (comments) "
            "or `issues: write` (the drift issue)"
        )
    return text
