"""A step's address, parsed once: `CUSTOMER/SECTION/...` (docs/design.md, the step catalogue).

`quinn-coffee-001/content/launch-hook/schedule/tiktok/v2` is the customer, then the path inside
its file: section `content`, content key `launch-hook`, a schedule entry on `tiktok`. Plan builds
addresses from these parts; everything that needs one of them back (the content key of an
approval or schedule step, the platform of a social step, the file path an `ignore:` pattern
matches) reads it here instead of splitting the string again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    customer: str
    parts: tuple[str, ...]  # the path inside the customer's file: ("content", "KEY", ...)

    @classmethod
    def parse(cls, customer: str, text: str) -> Address:
        """`text` of `customer` (an address without the customer's prefix is read as its path)."""
        rest = text[len(customer) + 1 :] if text.startswith(customer + "/") else text
        return cls(customer, tuple(rest.split("/")))

    def __str__(self) -> str:
        return "/".join((self.customer, *self.parts))

    @property
    def section(self) -> str:
        """The top-level key of the file the address is under (`project`, `content`, ...)."""
        return self.parts[0]

    @property
    def content_key(self) -> str | None:
        """`content/KEY/...` → KEY."""
        return self.parts[1] if self.section == "content" and len(self.parts) >= 2 else None

    @property
    def variant(self) -> int | None:
        """`content/KEY` → 1, `content/KEY/vN` → N (Rev B generates each variant in a step of
        its own); None for any other address."""
        if self.content_key is None or len(self.parts) > 3:
            return None
        if len(self.parts) == 2:
            return 1
        tail = self.parts[2]
        return int(tail[1:]) if tail[:1] == "v" and tail[1:].isdigit() else None

    @property
    def platform(self) -> str | None:
        """`social/PLATFORM` → PLATFORM."""
        return self.parts[1] if self.section == "social" and len(self.parts) >= 2 else None

    @property
    def qualifier(self) -> str | None:
        """What tells two steps of one kind apart: the content key or the platform."""
        return self.parts[1] if len(self.parts) > 1 else None
