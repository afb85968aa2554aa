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


LATER = ("at: 2030-01-01T10:00:00Z", "at: 2030-01-02T10:00:00Z")


@pytest.mark.parametrize(
    ("revision", "edits"),
    [
        ("a", [("variants: 1", "variants: 2")]),
        ("a", [("variants: 1", "variants: 2"), LATER]),  # was 409 CONFLICT: another container
        ("a", [("format: {format}", "format: ugc_remix")]),
        # Rev B makes each variant its own container: a second variant replaces nothing.
        ("b", [("format: {format}", "format: ugc_remix")]),
        ("b", [("format: {format}", "format: ugc_remix"), LATER]),
    ],
)
def test_a_changed_entry_moves_its_queued_post_to_the_new_container(
    tmp_path: Path, revision: str, edits: list[tuple[str, str]]
) -> None:
    made = FORMAT[revision]  # Rev B has no `auto`, Rev A no builder route
    ws = workspace(tmp_path / "ws", ENTRY.format(format=made))
    file = ws / "customers" / "quinn.yaml"
    file.write_text(file.read_text().replace("content:\n", APPROVAL + "content:\n"))
    extra = ("--api-revision", "b") if revision == "b" else ()
    with local_emulator(tmp_path, extra=extra) as emu:
        converges(emu.env(), ws)
        api = Api(emu.url)
        pid = project_of(api, "quinn")
        (first,) = api.posts(pid)
        assert first["status"] == "queued"
        text = file.read_text()
        for old, new in edits:
            text = text.replace(old.format(format=made), new)
        file.write_text(text)
        converges(emu.env(), ws)
        posts = {p["id"]: p for p in api.posts(pid)}
        assert posts[first["id"]]["status"] == "canceled"
        (queued,) = [p for p in posts.values() if p["status"] == "queued"]
        record = api.get(f"/v1/projects/{pid}")["metadata"]["layersReconcile"]["content"]
        assert queued["containerId"] == record["launch"]["containerIds"][0]
        assert queued["containerId"] != first["containerId"]
        when = "2030-01-02T10:00:00Z" if LATER in edits else "2030-01-01T10:00:00Z"
        assert queued["scheduledFor"] == when
        api.close()


class _Refuse(httpx.AsyncBaseTransport):
    """The emulator, but the posts' calls `refused` (`cancel`, `schedule`) answer 403 while
    `refusing`: the apply stops with the new post made and the old one not yet canceled (or,
    refusing both, where a version without this fix left a customer: neither)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, refused: set[str]) -> None:
        self.inner = inner
        self.refused = refused
        self.refusing = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        call = (
            "cancel"
            if request.method == "DELETE" and "/scheduled-posts/" in path
            else "schedule"
            if request.method == "POST" and path.endswith("/schedule")
            else None
        )
        if self.refusing and call in self.refused:
            error = {"code": "FORBIDDEN", "message": "refused by the test", "details": {}}
            return httpx.Response(403, json={"error": error})
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("refused", "left"), [({"cancel"}, ["queued", "queued"]), ({"cancel", "schedule"}, ["queued"])]
)
def test_an_apply_stopped_before_the_cancel_is_finished_by_the_next(
    tmp_path: Path, refused: set[str], left: list[str]
) -> None:
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
        refuse = _Refuse(runtime.transport, refused)
        local._OPEN[emu.url] = dataclasses.replace(runtime, transport=refuse)
        stopped = run_cli("apply", str(ws), "--auto-approve", env=emu.env())
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        # Half way: the old post still queued on its replaced container (the new one made).
        assert [p["status"] for p in api.posts(pid)] == left
        refuse.refusing = False
        # Someone else's post on the replaced container: not the tool's, so left alone.
        theirs = api.post(
            f"/v1/content/{first['containerId']}/schedule",
            {
                "scheduledFor": "2030-02-01T10:00:00Z",
                "targets": [
                    {"socialAccountId": first["socialAccountId"], "mode": "direct_publish"}
                ],
            },
        )
        (their_id,) = theirs["scheduledPostIds"]
        shown = run_cli("plan", str(ws), env=emu.env()).stdout
        assert f"cancels the queued post {first['id']}" in shown
        made = len(left) == 2  # the new post is there already: not made twice
        assert ("launch/schedule/tiktok  schedule" in shown) is not made
        converges(emu.env(), ws)
        posts = {p["id"]: p for p in api.posts(pid)}
        assert posts[first["id"]]["status"] == "canceled"
        assert posts[their_id]["status"] == "queued"
        (queued,) = [p for i, p in posts.items() if p["status"] == "queued" and i != their_id]
        assert queued["containerId"] != first["containerId"]
        api.close()


def test_wait_for_publish_watches_the_post_on_the_new_content(tmp_path: Path) -> None:
    """The entry's post went out; the content is made anew: its new post is the one watched (a
    post for later, so not waited for), not the published one on the replaced container."""
    from tests.apply.test_options import PAST

    ws = tmp_path / "ws"
    (ws / "customers").mkdir(parents=True)
    file = ws / "customers" / "past.yaml"
    file.write_text(PAST)
    with local_emulator(tmp_path) as emu:
        args = ("apply", str(ws), "--auto-approve", "--wait-for-publish")
        first = run_cli(*args, env=emu.env())
        assert "content/now/schedule/tiktok: post published" in first.stdout, first.stdout
        file.write_text(
            PAST.replace("    brief:", "    format: ugc_remix\n    brief:").replace(
                "at: 2020-01-01T00:00:00Z", "at: 2029-06-01T10:00:00Z"
            )
        )
        result = run_cli(*args, env=emu.env())
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "content/now/schedule/tiktok: post published" not in output
        assert (
            "past-post-030/content/now/schedule/tiktok: queued, due 2029-06-01T10:00:00Z: "
            "after the wait ends, not watched" in output
        )
        again = run_cli("plan", str(ws), "--detailed-exitcode", env=emu.env())
        assert again.returncode == 0, again.stdout + again.stderr
