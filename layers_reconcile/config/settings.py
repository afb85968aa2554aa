"""Pydantic models of the workspace settings (`layers.yaml`) and of which files are customers'.

`defaults:` is kept as written here; it is validated as part of each customer file it is merged
into (`config.loader`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from layers_reconcile.apirevision import RevisionSetting
from layers_reconcile.config.fieldtypes import HttpUrl, StrictModel, WorkspaceName
from layers_reconcile.config.globs import GlobError, compile_glob

__all__ = ["DEFAULT_CUSTOMER_GLOBS", "CustomerFilesSpec", "WorkspaceSpec"]


DEFAULT_CUSTOMER_GLOBS = ("customers/**/*.yaml", "customers/**/*.yml")


def _readable_glob(pattern: str) -> str:
    try:
        compile_glob(pattern)
    except GlobError as exc:
        raise PydanticCustomError("bad_glob", str(exc)) from None
    return pattern


GlobPattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^/].*$"),
    AfterValidator(_readable_glob),
]


class CustomerFilesSpec(StrictModel):
    """Which files below the workspace root are customer files (globs relative to the root)."""

    include: list[GlobPattern] | None = Field(
        default=None,
        min_length=1,
        description="Globs of customer files, relative to the folder of layers.yaml; `**` "
        "matches any folders. Default: customers/**/*.yaml and customers/**/*.yml.",
        examples=[["customers/**/*.yaml", "clients/*.yml"]],
    )
    exclude: list[GlobPattern] | None = Field(
        default=None,
        description="Globs of files to leave out even when `include` matches them.",
        examples=[["customers/archive/**"]],
    )

    @field_validator("include", "exclude")
    @classmethod
    def _inside_the_workspace(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            if ".." in pattern.split("/"):
                raise ValueError(f"{pattern!r} leaves the workspace folder: drop the '..'")
        return value

    @property
    def include_globs(self) -> tuple[str, ...]:
        return tuple(self.include) if self.include else DEFAULT_CUSTOMER_GLOBS

    @property
    def exclude_globs(self) -> tuple[str, ...]:
        return tuple(self.exclude or ())


class WorkspaceSpec(StrictModel):
    """Workspace settings (`layers.yaml`); every key is optional."""

    workspace: WorkspaceName | None = Field(
        default=None,
        description="Name stamped on every project this workspace manages; only projects "
        "stamped with it are ever archived.",
        examples=["acme-agency-prod"],
    )
    apiUrl: HttpUrl | None = Field(
        default=None,
        description="Base URL of the Layers API; LAYERS_API_URL and --api-url override it.",
        examples=["https://api.layers.com"],
    )
    parallelism: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="How many customers are reconciled at once.",
        examples=[8],
    )
    apiRevision: RevisionSetting | None = Field(
        default=None,
        description="Which revision of the Layers API to speak: a (the onboarding guide's), b "
        "(today's docs: per-format content, the review policy) or auto (the default: read from "
        "the whoami every run makes). A pinned revision the API does not speak is an error "
        "before any write; --api-revision overrides it.",
        examples=["auto", "b"],
    )
    customers: CustomerFilesSpec | None = Field(
        default=None,
        description="Which files are customer files (default: customers/**/*.yaml|yml).",
        examples=[{"include": ["customers/**/*.yaml"], "exclude": ["customers/drafts/**"]}],
    )
    defaults: dict[str, Any] | None = Field(
        default=None,
        description="Merged under every customer file (the customer's values win): fills in "
        "fields of the sections a customer has (project and approval: every customer) and never "
        "adds a section; each social.PLATFORM and content.KEY is a section of its own.",
        examples=[{"project": {"timezone": "America/Los_Angeles", "primaryLanguage": "en"}}],
    )
