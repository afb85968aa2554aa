"""The few GitHub REST calls CI needs: keep one pull-request comment per part of a plan, and one
open "drift" issue. Found again by the hidden marker each body starts with, so every push
updates in place instead of piling up comments.

Talks to `GITHUB_API_URL` with `GITHUB_TOKEN` (what Actions provides); the token is never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from layers_reconcile.errors import ReconcileError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_MARKER = "<!-- layers-reconcile -->"
BODY_LIMIT = 65_536  # GitHub refuses longer comment and issue bodies
MAX_PAGES = 100  # of 100 items: a pull request's comments or the open drift issues
_MARKER = re.compile(r"<!--[^\n]*?-->")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def split_parts(text: str) -> list[str]:
    """The parts of a rendered markdown file: each starts with the same hidden marker line
    (`plan --format markdown` prints them one after another). A text without a marker is one
    part, given the default marker."""
    lines = text.splitlines(keepends=True)
    first = lines[0].strip() if lines else ""
    if not _MARKER.fullmatch(first):
        return [DEFAULT_MARKER + "\n" + text] if text.strip() else []
    parts: list[list[str]] = []
    for line in lines:
        if line.strip() == first:
            parts.append([])
        parts[-1].append(line)
    return ["".join(p).rstrip("\n") + "\n" for p in parts]


def marker_of(part: str) -> str:
    return part.split("\n", 1)[0].strip()


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
    ) -> None:
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
        try:
            response = await self._http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            raise ReconcileError(f"could not reach the GitHub API: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            try:
                message = str(response.json().get("message", ""))
            except ValueError:
                message = ""
            raise ReconcileError(
                f"GitHub answered {response.status_code} to {method} "
                f"{httpx.URL(url).path or url}" + (f": {message}" if message else "")
            )
        return response

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

    async def upsert_comments(self, repo: str, number: int, parts: list[str]) -> Outcome:
        """Make the pull request's comments with the parts' marker exactly `parts`, in order:
        update in place, add the missing, delete the surplus (a plan that shrank)."""
        if not parts:
            raise ReconcileError("nothing to post: the file is empty")
        marker = marker_of(parts[0])
        base = f"/repos/{check_repo(repo)}/issues"
        comments = await self._pages(f"{base}/{number}/comments", {})
        ours = sorted(
            (c for c in comments if str(c.get("body", "")).startswith(marker)),
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
        found = next(
            (
                i
                for i in listed
                if "pull_request" not in i and str(i.get("body") or "").startswith(marker)
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


def _fit(body: str) -> str:
    """GitHub's limit; the markdown renderer keeps parts under it, this guards anything else."""
    if len(body) <= BODY_LIMIT:
        return body
    note = "\n\n… cut at GitHub's size limit; the whole text is in the job's summary.\n"
    return body[: BODY_LIMIT - len(note)] + note
