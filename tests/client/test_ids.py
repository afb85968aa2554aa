from __future__ import annotations

import hashlib
import uuid

from layers_reconcile import ids


def test_namespace_is_the_documented_one() -> None:
    assert uuid.uuid5(uuid.NAMESPACE_URL, "https://layers-reconcile/ids") == ids.NS


def test_project_id_is_uuid5_of_the_customer_handle() -> None:
    expected = str(uuid.uuid5(ids.NS, "project/quinn-coffee-001"))
    assert ids.project_id_for("quinn-coffee-001") == expected
    assert ids.project_id_for("quinn-coffee-001") != ids.project_id_for("quinn-coffee-002")


def test_content_and_post_ids() -> None:
    assert ids.content_id_for("p1", "launch-hook") == str(
        uuid.uuid5(ids.NS, "content/p1/launch-hook")
    )
    assert ids.post_id_for("p1", "launch-hook", "tiktok", 1) == str(
        uuid.uuid5(ids.NS, "post/p1/launch-hook/tiktok/1/")
    )
    assert ids.post_id_for("p1", "k", "tiktok", 1, "morning") == str(
        uuid.uuid5(ids.NS, "post/p1/k/tiktok/1/morning")
    )


def test_idempotency_key_depends_on_customer_step_and_body_not_key_order() -> None:
    a = ids.idempotency_key_for("quinn", "ingest", {"repo": "o/r", "branch": "main"})
    b = ids.idempotency_key_for("quinn", "ingest", {"branch": "main", "repo": "o/r"})
    assert a == b
    assert a != ids.idempotency_key_for("quinn", "ingest", {"repo": "o/r", "branch": "dev"})
    assert a != ids.idempotency_key_for("quinn", "generate", {"repo": "o/r", "branch": "main"})
    assert a != ids.idempotency_key_for("other", "ingest", {"repo": "o/r", "branch": "main"})
    digest = hashlib.sha256(b'{"branch":"main","repo":"o/r"}').hexdigest()
    assert a == str(uuid.uuid5(ids.NS, f"quinn/ingest/{digest}"))


def test_body_hash_keeps_unicode() -> None:
    assert (
        ids.body_hash({"name": "Maya — PNW"})
        == hashlib.sha256('{"name":"Maya — PNW"}'.encode()).hexdigest()
    )
