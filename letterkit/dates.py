"""How a kit's letters print dates: the forms its `kit.toml` declares, in one place.

```toml
[dates]
long = "%-d %B %Y"     # "4 March 2016": the `date` filter's default, long_date()
short = "%d/%m/%Y"     # "04/03/2016": short_date()
```

A form is a strftime pattern. Blocks print `{{ letter_date | date }}` (the long form),
`{{ d | date("short") }}` or any pattern of their own; the rules look for a printed date
in each declared form. A kit inherits each form from the nearest kit that declares it;
the letter kit's are the US forms, "March 4, 2016" and "03/04/2016".
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from .inherited_table import read_inherited

_SAMPLE = datetime.date(2016, 3, 4)


class DateForms(BaseModel):
    """A kit's date forms, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    long: str = "%B %-d, %Y"
    short: str = "%m/%d/%Y"

    @field_validator("long", "short")
    @classmethod
    def _pattern(cls, value: str) -> str:
        if "%" not in value:
            raise ValueError(f"{value!r} is no date form: a strftime pattern such as \"%-d %B %Y\"")
        _SAMPLE.strftime(value)  # a pattern strftime cannot use fails here, not in a letter
        return value

    def pattern(self, form: str) -> str:
        """The pattern of a declared form (`long`, `short`), or `form` itself: a pattern."""
        return {"long": self.long, "short": self.short}.get(form, form)

    def format(self, day: datetime.date, form: str = "long") -> str:
        return day.strftime(self.pattern(form))

    def printed(self, day: datetime.date) -> list[str]:
        """Every way the kit prints `day`, long form first."""
        return list(dict.fromkeys(self.format(day, form) for form in ("long", "short")))


def read_dates(tables: list[tuple[str, dict]]) -> DateForms:
    """The date forms of a kit from the `[dates]` tables of its chain, farthest first."""
    return read_inherited(DateForms, "dates", tables)
