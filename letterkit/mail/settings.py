"""What a kit says about mailing its letters: the `[mail]` table of its `kit.toml`.

```toml
[mail]
to = "parties.employee"   # the original's recipient: a field holding a party
copies = ["parties.provider", "cc"]   # fields holding a party, or a list of parties
copy_label = "Copy to"    # the line above a copy's address
endorsement = ""          # an ancillary service endorsement, printed above the address
envelope = "US #10 window envelope"
[mail.window]             # on page 1, in inches from the page's top left corner
left = 0.875
top = 2.125
width = 4.0
height = 1.125
```
A kit inherits the table from the kits it extends, key by key, the nearest kit winning.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Window(BaseModel):
    """The envelope window, on page 1, in inches from the page's top left corner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: float = Field(gt=0)
    top: float = Field(gt=0)
    width: float = Field(gt=0)
    height: float = Field(gt=0)

    def points(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in points from the top left corner."""
        return (self.left * 72, self.top * 72, (self.left + self.width) * 72, (self.top + self.height) * 72)


class MailSettings(BaseModel):
    """Who a kit's letter goes to, who gets copies, and where the address prints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: str
    copies: tuple[str, ...] = ()
    copy_label: str = "Copy to"
    endorsement: str | None = None
    envelope: str = "US #10 window envelope"
    window: Window


def read_mail(tables: list[dict], source: str) -> MailSettings | None:
    """The `[mail]` tables of a kit chain, farthest first, merged key by key."""
    merged: dict = {}
    for table in tables:
        merged.update(table)
    if not merged:
        return None
    try:
        return MailSettings.model_validate(merged)
    except ValueError as error:
        raise ValueError(f"{source}: [mail]: {error}") from None
