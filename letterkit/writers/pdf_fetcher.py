"""The only way the PDF writer reaches a file: inside the kit, or a data: URI.

WeasyPrint fetches stylesheets, fonts and images through a URL fetcher. This one
serves files from the kit's search path and `data:` URIs, and refuses everything
else — http(s), file:// outside the kit, any other scheme — by stopping the render
with an error that names the URL, rather than leaving a silent gap in the letter.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class RefusedResource(FatalURLFetchingError):
    """A URL the letter may not fetch. (WeasyPrint lets only fatal errors stop a render.)"""


class KitFetcher(URLFetcher):
    """Serves files under `folders` and data: URIs; refuses anything else."""

    def __init__(self, folders: tuple[Path, ...]):
        super().__init__(fail_on_errors=True)
        self._folders = tuple(folder.resolve() for folder in folders)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            return URLFetcherResponse(url, body=self._kit_file(url).read_bytes())
        raise RefusedResource(f"refused {url}: a letter may use only its kit's files and data: URIs")

    def _kit_file(self, url: str) -> Path:
        # Resolved before the check, so that neither ../ nor a symbolic link leads out.
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self._folders):
            raise RefusedResource(f"refused {url}: the file is outside the kit")
        if not path.is_file():
            raise RefusedResource(f"refused {url}: the kit has no such file")
        return path
