"""Pictures a case may carry, such as a signature: a data: URI, checked on arrival."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from ..images import decode_data_uri


def _check(uri: str) -> str:
    decode_data_uri(uri)
    return uri


Picture = Annotated[
    str,
    AfterValidator(_check),
    Field(description="A PNG or JPEG picture as a data: URI (data:image/png;base64,...)."),
]
