"""`ignore:` paths: fields people own in the Layers UI, named as the plan names them.

A path is dot-separated (`project.metadata.tier`, `brand.tagline`, `content.KEY.brief.hook`);
`*` stands for any one content key or metadata key. A path names a field, or a group of them
(`brand`, `project.metadata`, `content.*.brief`), that people can change in Layers: the project's
fields and metadata keys, the approval policy, the brand context, and a content's brief. It
matches the plan's path of a change when it is that path or a leading part of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel

from layers_reconcile.config.fieldtypes import RESERVED_METADATA_KEY
from layers_reconcile.config.suggest import closest

ANY = "*"
# The shape editors check (JSON Schema); `validate` checks that the path names a field.
PATH_PATTERN = r"^(project|approval|brand|content)(\.[^.\s]+)*$"
# What each level of an ignorable path may name: a model's fields, or `KEY` (any one key).
KEY = "KEY"
IGNORABLE_ROOTS = ("project", "approval", "brand", "content")
WHAT_CAN_BE_IGNORED = (
    "project.FIELD, project.metadata.KEY, approval.FIELD, brand.FIELD, content.KEY.brief.FIELD"
)


@cache
def _tree() -> dict[str, object]:
    # Imported here: the models validate `ignore:` entries with `path_problem`.
    from layers_reconcile.config.content import BriefSpec
    from layers_reconcile.config.models import ApprovalSpec, BrandSpec, ProjectSpec

    def fields(model: type[BaseModel]) -> dict[str, object]:
        return dict.fromkeys(model.model_fields)

    project = fields(ProjectSpec)
    project["metadata"] = {KEY: None}
    return {
        "project": project,
        "approval": fields(ApprovalSpec),
        "brand": fields(BrandSpec),
        "content": {KEY: {"brief": fields(BriefSpec)}},
    }


_METADATA = "project.metadata."


def split_path(path: str) -> tuple[str, ...]:
    """The parts of a field path. A metadata key is one part, dots and all (`project.metadata.
    billing.plan` is the key `billing.plan`): metadata keys are free text, the others have no dot."""
    if path.startswith(_METADATA) and len(path) > len(_METADATA):
        return ("project", "metadata", path[len(_METADATA) :])
    return tuple(path.split("."))


def path_problem(path: str) -> str | None:
    """Why `path` is not an ignorable field path (None: it is one)."""
    parts = split_path(path)
    if any(not part for part in parts):
        return f"{path!r} is not a field path: write its parts joined by dots, e.g. brand.tagline"
    node: object = _tree()
    walked: list[str] = []
    for part in parts:
        if not isinstance(node, dict):
            return f"{path!r} names no field: {'.'.join(walked)} has no fields below it"
        if KEY in node:
            if part == RESERVED_METADATA_KEY:
                return f"{path!r}: {RESERVED_METADATA_KEY} is the tool's own record, never ignored"
            node = node[KEY]
        elif part in node:
            node = node[part]
        elif part == ANY and walked and len(walked) == len(parts) - 1:
            return None  # `brand.*`: every field of brand, as `brand` says (`*` alone: no)
        elif not walked:
            return (
                f"{path!r} cannot be ignored: only fields people edit in Layers can "
                f"({WHAT_CAN_BE_IGNORED}){_instead(part, IGNORABLE_ROOTS, walked)}"
            )
        else:
            known = [k for k in node if k != KEY]
            return (
                f"{path!r} names no field: {'.'.join(walked)} has {', '.join(known)}"
                f"{_instead(part, known, walked)}"
            )
        walked.append(part)
    return None


def _instead(part: str, candidates: Iterable[str], walked: list[str]) -> str:
    match = closest(part, candidates)
    return f" — did you mean '{'.'.join([*walked, match])}'?" if match else ""


def matches(pattern: str, path: str) -> bool:
    """Whether `pattern` (an `ignore:` entry) covers the plan's field path `path`."""
    want, have = split_path(pattern), split_path(path)
    if len(want) > len(have):
        return False
    return all(w in (ANY, h) for w, h in zip(want, have, strict=False))


def ignored_by(patterns: Iterable[str], path: str) -> str | None:
    """The first entry of `patterns` covering `path`, when `path` is a field people can own."""
    if path_problem(path) is not None:
        return None  # not a field (a status, the tool's stamp): never set aside
    return next((p for p in patterns if matches(p, path)), None)


def unknown_key(path: str, document: dict[str, Any]) -> str | None:
    """Why a customer file's own `ignore:` path names a content or metadata key that this
    customer does not have (a misspelt key would silently ignore nothing); None when it has it."""
    parts = split_path(path)
    if parts[0] == "content" and len(parts) > 1:
        where, key, keys = "content", parts[1], document.get("content")
    elif parts[:2] == ("project", "metadata") and len(parts) > 2:
        project = document.get("project")
        metadata = project.get("metadata") if isinstance(project, dict) else None
        where, key, keys = "project.metadata", parts[2], metadata
    else:
        return None
    known = sorted(keys) if isinstance(keys, dict) else []
    if key == ANY or key in known:
        return None
    hint = closest(key, known)
    instead = f" — did you mean '{where}.{hint}'?" if hint else ""
    return f"ignore: {path!r} names no field: this customer's file has no {where}.{key}{instead}"
