"""Who gets a mail piece of a letter: its original recipient and each copy recipient
with an address, as the kit's `[mail]` table names them.

A copy recipient with no address is listed on the letter (the kit's closing prints
every copy recipient) but gets no piece; that is a warning. So is an address that a
USPS Publication 28 parser (usaddress) cannot break into its parts: the letter still
renders and the piece is still made, but the mail house should look at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import Address, Party
from .settings import MailSettings


@dataclass(frozen=True)
class Piece:
    """One envelope: a letter addressed to one recipient."""

    number: int  # 1: the original; 2, 3…: the copies, in the kit's order
    field: str  # the case field the recipient is, e.g. "parties.provider", "cc[1]"
    recipient: Party

    @property
    def role(self) -> str:
        return "original" if self.number == 1 else "copy"

    @property
    def address(self) -> Address:
        assert self.recipient.address is not None  # a party without one gets no piece
        return self.recipient.address

    def piece_id(self, case_id: str) -> str:
        return f"{case_id}-{self.number}"

    def address_lines(self) -> list[str]:
        """The lines the window shows, as the `party_lines` macro prints them."""
        return [*_name_lines(self.recipient), *address_lines(self.address)]

    def context(self, settings: MailSettings) -> dict[str, Any]:
        """What the kit's `mail-window` block sees as `piece`."""
        return {"recipient": self.recipient, "is_copy": self.number > 1, "number": self.number,
                "endorsement": settings.endorsement}


def address_lines(address: Address) -> list[str]:
    last = f"{address.city}, {address.region} {address.postal_code}"
    return [*address.lines, last, *([address.country] if address.country else [])]


def _name_lines(party: Party) -> list[str]:
    return [party.name, *([party.organisation] if party.organisation else [])]


def zip_code(address: Address) -> str:
    """The ZIP (or ZIP+4) of a US address, digits only; "" for another country's."""
    digits = re.sub(r"[\s-]", "", address.postal_code)
    us = address.country is None or address.country.strip().upper() in ("US", "USA", "UNITED STATES")
    return digits if us and re.fullmatch(r"\d{5}(\d{4})?(\d{2})?", digits) else ""


def pieces_of(letter: Any, settings: MailSettings) -> tuple[list[Piece], list[str]]:
    """The letter's pieces, original first, and a warning per recipient left without one
    or with an address a Pub 28 parser cannot read."""
    pieces: list[Piece] = []
    warnings: list[str] = []
    for path in (settings.to, *settings.copies):
        for field, party in _parties(letter, path):
            if party.address is None:
                warnings.append(f"{field}: {party.name} has no address; listed on the letter, no mail piece")
                continue
            if problem := unparseable(party.address):
                warnings.append(f"{field}.address: {problem}")
            pieces.append(Piece(len(pieces) + 1, field, party))
    if not pieces or pieces[0].field != settings.to:
        # No original recipient to mail: the copies still go, numbered from 2.
        pieces = [Piece(index + 2, p.field, p.recipient) for index, p in enumerate(pieces)]
    return pieces, warnings


def original(letter: Any, settings: MailSettings) -> Piece | None:
    """The original's piece, when its recipient has an address."""
    found = [party for _, party in _parties(letter, settings.to)]
    return Piece(1, settings.to, found[0]) if found and found[0].address else None


def _parties(letter: Any, path: str) -> list[tuple[str, Party]]:
    value: Any = letter
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return []
    if isinstance(value, Party):
        return [(path, value)]
    if isinstance(value, (list, tuple)):
        return [(f"{path}[{index}]", party) for index, party in enumerate(value) if isinstance(party, Party)]
    return []


def unparseable(address: Address) -> str | None:
    """Why a USPS Pub 28 parser cannot read the address, or None when it can.
    Addresses outside the US are not checked."""
    if address.country and address.country.strip().upper() not in ("US", "USA", "UNITED STATES"):
        return None
    import usaddress  # a CRF model: loaded only when pieces are made

    text = ", ".join([*address.lines, f"{address.city}, {address.region} {address.postal_code}"])
    try:
        parts, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return f"{text!r} cannot be parsed as a USPS Pub 28 address (parts repeat)"
    if kind not in ("Street Address", "PO Box") or "ZipCode" not in parts or "StateName" not in parts:
        return f"{text!r} cannot be parsed as a USPS Pub 28 address (read as {kind.lower()})"
    return None
