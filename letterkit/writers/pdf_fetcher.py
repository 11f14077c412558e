"""The only way the PDF writer reaches a file: through the kit's resolver, or a data: URI.

WeasyPrint fetches stylesheets, fonts and images through a URL fetcher. This one
serves files of the kit's search path (through the same `Resolver` that reads every
other kit file, so a symbolic link cannot lead out), `data:` URIs, and a letter's own
pictures (already in its document tree) by the URL its page gives them; it refuses
everything else — http(s), file:// outside the kit, any other scheme — by stopping
the render with an error that names the URL, rather than leaving a silent gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import tree
from ..errors import KitError
from ..resolver import Resolver
from .weasyprint_adapter import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class RefusedResource(FatalURLFetchingError):
    """A URL the letter may not fetch. (WeasyPrint lets only fatal errors stop a render.)"""


class KitFetcher(URLFetcher):
    """Serves files of `files` and data: URIs; refuses anything else."""

    def __init__(self, files: Resolver):
        super().__init__(fail_on_errors=True)
        self._files = files

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            try:
                path = self._files.check(Path(unquote(urlsplit(url).path)))
            except KitError as error:
                raise RefusedResource(f"refused {url}: {error}") from None
            return URLFetcherResponse(url, body=path.read_bytes())
        raise RefusedResource(f"refused {url}: a letter may use only its kit's files and data: URIs")


class LetterFetcher(URLFetcher):
    """One letter's pictures, by their URL in its page; anything else as `kit` serves it."""

    def __init__(self, kit: KitFetcher, pictures: dict[str, tree.Image]):
        super().__init__(fail_on_errors=True)
        self._kit = kit
        self._pictures = pictures

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if (image := self._pictures.get(url)) is not None:
            return URLFetcherResponse(url, body=image.data, headers={"Content-Type": image.media_type})
        return self._kit.fetch(url, headers)
