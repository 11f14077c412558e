"""A local RFC 3161 timestamp server for the seal tests: real HTTP on 127.0.0.1.

It answers `application/timestamp-query` POSTs with tokens signed by pyHanko's test
timestamper (`DummyTimeStamper`) under the tests' own root; a GET of /ca.crl serves a
CRL, as a CA's distribution point would. It runs in a thread of the test process and
stops when its `with` block ends.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from asn1crypto import keys, tsp, x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pki import Pki
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore


@contextmanager
def timestamp_server(pki: Pki, crl: Path | None = None) -> Iterator[str]:
    """The URL of a running timestamp service signing as `pki`'s timestamp authority."""
    certificate, key = pki.timestamp_authority()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(pki.ca.public_bytes(serialization.Encoding.DER))]))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            self._answer(stamper.request_tsa_response(request).dump(), "application/timestamp-reply")

        def do_GET(self) -> None:  # noqa: N802
            if crl is None or self.path != "/ca.crl":
                self.send_error(404)
                return
            self._answer(crl.read_bytes(), "application/pkix-crl")

        def _answer(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args) -> None:  # the test's output stays the test's
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
