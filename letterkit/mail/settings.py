"""What a kit says about mailing its letters: the `[mail]` table of its `kit.toml`.

```toml
[mail]
to = "parties.employee"   # the original's recipient: a field holding a party
copies = ["parties.provider", "cc"]   # fields holding a party, or a list of parties
endorsement = ""          # an ancillary service endorsement, printed above the address
envelope = "US #10 window envelope"
# --duplex pads a piece with this sentence, in the letter's language (else a blank back)
blank_page = { en = "This page intentionally left blank.", es = "Esta página se dejó en blanco intencionalmente." }
[mail.window]             # on page 1, in inches from the page's top left corner
left = 0.875
top = 2.125
width = 4.0
height = 1.125
[mail.large_print]        # a large-print letter's envelope (--profile large-print), flat
envelope = "9 x 12 flat window envelope"
window = { left = 0.875, top = 2.875, width = 4.5, height = 2.25 }
```
The "Copy to" line is the kit's words, in its `mail-window` block (translated as every
block is: `blocks/es/mail-window.md.j2`). The windows' numbers are written here only:
the CSS that places a piece's address is made from them (`letterkit.mail.render`), and
`--strict` checks the drawn piece against them.
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


class Envelope(BaseModel):
    """Another envelope for the kit's letters in a profile: its name and window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    envelope: str
    window: Window


class MailSettings(BaseModel):
    """Who a kit's letter goes to, who gets copies, and where the address prints."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: str
    copies: tuple[str, ...] = ()
    endorsement: str | None = None
    envelope: str = "US #10 window envelope"
    window: Window
    blank_page: dict[str, str] | None = None  # by language: the sentence on a padding page
    large_print: Envelope | None = None

    def envelope_for(self, profile: str | None) -> tuple[str, Window]:
        """The envelope (its name, its window) of a letter in `profile`."""
        if profile == "large-print" and self.large_print is not None:
            return self.large_print.envelope, self.large_print.window
        return self.envelope, self.window

    def blank_page_in(self, language: str) -> str:
        """The padding page's sentence in `language` (a tag: "es-US"); the kit says it in
        each of its languages (`read_mail` checks)."""
        assert self.blank_page
        return self.blank_page[language.split("-")[0].lower()]


def read_mail(tables: list[dict], source: str, languages: tuple[str, ...]) -> MailSettings | None:
    """The `[mail]` tables of a kit chain, farthest first, merged key by key; a padding
    page's sentence must be said in each of the kit's `languages`."""
    merged: dict = {}
    for table in tables:
        merged.update(table)
    if not merged:
        return None
    try:
        settings = MailSettings.model_validate(merged)
    except ValueError as error:
        raise ValueError(f"{source}: [mail]: {error}") from None
    unsaid = [language for language in languages if settings.blank_page and language not in settings.blank_page]
    if unsaid:
        raise ValueError(f"{source}: [mail] blank_page says nothing in {', '.join(unsaid)}, a language of the kit's "
                         f"letters: add {unsaid[0]} = \"…\"")
    return settings
