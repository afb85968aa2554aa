"""Documents in memory, written through to SQLite so `--db FILE` survives a restart.

Every resource is a JSON document of a kind (`project`, `container`, `post`, ...) keyed by id.
Memory is the read path; `commit()` writes the documents changed since the last commit in one
SQLite transaction. Keys starting with `_` are private to the emulator and never rendered.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from layers_reconcile.emulator.common import JSON

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
)
"""


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path) if path is not None else ":memory:", check_same_thread=False
        )
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._conn.commit()
        self._lock = threading.Lock()
        self._docs: dict[str, dict[str, JSON]] = {}
        self._children: dict[tuple[str, str], dict[str, None]] = {}
        self._by_external: dict[str, dict[str, None]] = {}
        self._external_of: dict[str, str] = {}
        self._dirty: dict[tuple[str, str], None] = {}
        self._removed: dict[tuple[str, str], None] = {}
        self._seq = 0
        self._closed = False
        self._load()

    def _load(self) -> None:
        rows = self._conn.execute("SELECT kind, data FROM docs ORDER BY seq").fetchall()
        for kind, data in rows:
            doc = json.loads(data)
            self._index(kind, doc)
            self._seq = max(self._seq, int(doc["_seq"]))

    def _index(self, kind: str, doc: JSON) -> None:
        ident = doc["id"]
        self._docs.setdefault(kind, {})[ident] = doc
        project_id = doc.get("projectId")
        if isinstance(project_id, str):
            self._children.setdefault((kind, project_id), {})[ident] = None
        if kind == "project":
            old = self._external_of.pop(ident, None)
            if old is not None:
                self._by_external.get(old, {}).pop(ident, None)
            external = doc.get("customerExternalId")
            if isinstance(external, str):
                self._external_of[ident] = external
                self._by_external.setdefault(external, {})[ident] = None

    def get(self, kind: str, ident: str) -> JSON | None:
        return self._docs.get(kind, {}).get(ident)

    def put(self, kind: str, doc: JSON) -> JSON:
        """Insert or update `doc` (it must carry `id`); it is persisted on the next commit."""
        if "_seq" not in doc:
            self._seq += 1
            doc["_seq"] = self._seq
        self._index(kind, doc)
        self._dirty[(kind, doc["id"])] = None
        self._removed.pop((kind, doc["id"]), None)
        return doc

    def remove(self, kind: str, ident: str) -> None:
        doc = self._docs.get(kind, {}).pop(ident, None)
        if doc is None:
            return
        project_id = doc.get("projectId")
        if isinstance(project_id, str):
            self._children.get((kind, project_id), {}).pop(ident, None)
        self._dirty.pop((kind, ident), None)
        self._removed[(kind, ident)] = None

    def all(self, kind: str) -> list[JSON]:
        """Every document of `kind`, oldest first."""
        return list(self._docs.get(kind, {}).values())

    def iter(self, kind: str) -> Iterator[JSON]:
        return iter(list(self._docs.get(kind, {}).values()))

    def children(self, kind: str, project_id: str) -> list[JSON]:
        """Documents of `kind` whose `projectId` is `project_id`, oldest first."""
        docs = self._docs.get(kind, {})
        return [docs[i] for i in self._children.get((kind, project_id), {}) if i in docs]

    def projects_by_external_id(self, external_id: str) -> list[JSON]:
        docs = self._docs.get("project", {})
        return [docs[i] for i in self._by_external.get(external_id, {}) if i in docs]

    def commit(self) -> None:
        if self._closed or not (self._dirty or self._removed):
            return
        with self._lock:
            upserts = []
            for kind, ident in self._dirty:
                doc = self._docs.get(kind, {}).get(ident)
                if doc is not None:
                    upserts.append((kind, ident, doc["_seq"], json.dumps(doc)))
            removed = list(self._removed)
            self._dirty.clear()
            self._removed.clear()
            with self._conn:
                if upserts:
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO docs (kind, id, seq, data) VALUES (?, ?, ?, ?)",
                        upserts,
                    )
                if removed:
                    self._conn.executemany("DELETE FROM docs WHERE kind = ? AND id = ?", removed)

    def close(self) -> None:
        if self._closed:
            return
        self.commit()
        self._closed = True
        self._conn.close()
