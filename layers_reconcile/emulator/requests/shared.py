"""Bodies more than one resource family takes, and the emulator's own key route."""

from __future__ import annotations

from typing import Annotated

from pydantic import StrictStr

from layers_reconcile.emulator.fields import Text64, Text128, Text1024, text
from layers_reconcile.emulator.validation import Between, Body, Maybe, Strict


class Reason(Body):
    reason: Maybe[Text1024] = None


class CreateKey(Strict):
    scopes: Maybe[Annotated[list[Text64], Between(0, 64)]] = None
    allowedReturnDomains: Maybe[
        Annotated[list[Annotated[StrictStr, text(0, 253)]], Between(0, 64)]
    ] = None
    name: Maybe[Text128] = None
