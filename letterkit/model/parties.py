"""Who a letter is from and to."""

from __future__ import annotations

import warnings
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .base import CaseModel
from .pictures import Picture


class Address(CaseModel):
    """A postal address, printed line by line."""

    lines: list[str] = Field(min_length=1, description="Street lines, first to last.")
    city: str
    region: str = Field(description="State, province or county.")
    postal_code: str
    country: str | None = None


class Organisation(CaseModel):
    """An organisation that sends or receives letters."""

    name: str = Field(description="Full name, e.g. 'Pacific Review Services, Inc.'.")
    short_name: str | None = Field(
        None, description="Name used in running text, e.g. 'PRS'; defaults to the name."
    )
    address: Address | None = None
    phone: str | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Party(CaseModel):
    """A person or office a letter concerns or is addressed to."""

    name: str
    organisation: str | None = None
    address: Address | None = None

    def __str__(self) -> str:
        # Printed whole ({{ person }} of a `cc` that held names before 0.2): the name, and
        # the organisation after it, as the name alone printed; never pydantic's repr.
        return ", ".join(part for part in (self.name, self.organisation) if part)


class Signature(CaseModel):
    """Who signs the letter for the organisation."""

    name: str | None = None
    title: str = "Medical Director"
    image: Picture | None = None


class CaseDeprecationWarning(UserWarning):
    """A case uses a form of a field that will stop working (see letterkit.deprecations)."""


def _party_from_name(value: Any) -> Any:
    # Until 0.2 a copy recipient was a name alone; it still is one, without an address
    # (listed on the letter, no mail piece), until CC_NAMES_REMOVED_IN.
    if isinstance(value, str):
        warnings.warn(CaseDeprecationWarning(
            f"cc: {value!r} is a name alone; give a party (name, organisation, address) so that "
            f"the copy can be mailed: - name: {value} (names alone stop working in {CC_NAMES_REMOVED_IN})"),
            stacklevel=2)
        return {"name": value}
    return value


CC_NAMES_DEPRECATED_IN = "0.2.0"
CC_NAMES_REMOVED_IN = "0.3.0"

CopyRecipient = Annotated[Party, BeforeValidator(_party_from_name)]
"""Who gets a copy: a party, with an address to be mailed one; a bare name still works
(deprecated in 0.2.0, removed in 0.3.0), with a warning."""
