"""A content entry whose variants or format change is generated anew; its live post sat on a
replaced container (the real CLI in-process against the emulator, both API revisions).

What a user notices: the apply after the change succeeds (the old post is canceled, the new one
posted under the entry's next post id), a rerun plans nothing, and an apply stopped between
the new schedule and the cancel is finished by the next one, canceling only the tool's own post.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from tests.apply import local
from tests.apply.local import local_emulator
from tests.apply.support import Api, run_cli
from tests.apply.test_content_revisions import POSTED, converges, project_of, workspace

ENTRY = (
    """\
  launch:
    format: {format}
    variants: 1
    brief:
      hook: Skip the line.
    approve: true
"""
    + POSTED
)
APPROVAL = "approval:\n  requiresApproval: true\n"  # the approval step runs before the posts


FORMAT = {"a": "auto", "b": "slideshow_builder"}


def statuses(api: Api, pid: str) -> list[tuple[str, str]]:
    """(container, status) of the project's posts, sorted."""
    return sorted((str(p["containerId"]), str(p["status"])) for p in api.posts(pid))


@pytest.mark.parametrize(
    ("revision", "old", "new"),
    [
        ("a", "variants: 1", "variants: 2"),
        ("a", "format: {format}", "format: ugc_remix"),
        # Rev B makes each variant its own container: a second variant replaces nothing.
        ("b", "format: {format}", "format: ugc_remix"),
    ],
)
def test_a_changed_entry_moves_its_queued_post_to_the_new_container(
    tmp_path: Path, revision: str, old: str, new: str
) -> None:
    made = FORMAT[revision]  # Rev B has no `auto`, Rev A no builder route
    ws = workspace(tmp_path / "ws", ENTRY.format(format=made))
    file = ws / "customers" / "quinn.yaml"
    file.write_text(file.read_text().replace("content:\n", APPROVAL + "content:\n"))
    old = old.format(format=made)
    extra = ("--api-revision", "b") if revision == "b" else ()
    with local_emulator(tmp_path, extra=extra) as emu:
        converges(emu.env(), ws)
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        (first,) = api.posts(pid)
        assert first["status"] == "queued"
        file.write_text(file.read_text().replace(old, new))
        converges(emu.env(), ws)
        posts = {p["id"]: p for p in api.posts(pid)}
        assert posts[first["id"]]["status"] == "canceled"
        (queued,) = [p for p in posts.values() if p["status"] == "queued"]
        record = api.get(f"/v1/projects/{pid}")["metadata"]["layersReconcile"]["content"]
        assert queued["containerId"] == record["launch"]["containerIds"][0]
        assert queued["containerId"] != first["containerId"]
        assert queued["scheduledFor"] == first["scheduledFor"]
        api.close()


class _RefuseCancel(httpx.AsyncBaseTransport):
    """The emulator, but a cancel is refused (403) while `refusing`: the apply stops after the
    new post is made and before the old one is canceled."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.refusing = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.refusing and request.method == "DELETE" and "/scheduled-posts/" in request.url.path:
            error = {"code": "FORBIDDEN", "message": "refused by the test", "details": {}}
            return httpx.Response(403, json={"error": error})
        return await self.inner.handle_async_request(request)


def test_an_apply_stopped_before_the_cancel_is_finished_by_the_next(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", ENTRY.format(format="auto"))
    file = ws / "customers" / "quinn.yaml"
    file.write_text(file.read_text().replace("content:\n", APPROVAL + "content:\n"))
    with local_emulator(tmp_path) as emu:
        converges(emu.env(), ws)
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        (first,) = api.posts(pid)
        file.write_text(file.read_text().replace("variants: 1", "variants: 2"))
        runtime = local._OPEN[emu.url]
        assert runtime.transport is not None
        refuse = _RefuseCancel(runtime.transport)
        local._OPEN[emu.url] = dataclasses.replace(runtime, transport=refuse)
        stopped = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        # Half way: the new post is made, the old one is still queued on its replaced container.
        posts = {p["id"]: p for p in api.posts(pid)}
        assert [p["status"] for p in posts.values()] == ["queued", "queued"]
        refuse.refusing = False
        shown = run_cli("plan", str(ws), env=emu.env()).stdout
        assert f"cancels the queued post {first['id']}" in shown
        assert "schedule/tiktok  schedule" not in shown  # the new post is there already
        converges(emu.env(), ws)
        posts = {p["id"]: p for p in api.posts(pid)}
        assert posts[first["id"]]["status"] == "canceled"
        (queued,) = [p for p in posts.values() if p["status"] == "queued"]
        assert queued["containerId"] != first["containerId"]
        api.close()
