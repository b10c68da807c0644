"""Provides the plain-HTTP "public CAS" page (port 8080) that shows this CAS's MRENCLAVE.

It stands in for SCONE's public-CAS documentation page, which the course screen-scrapes.
The attest line keeps the shape of the 2022 page's highlighted HTML, so the original
reference pipeline (``grep "scone cas attest" | tail -1 | awk '{ print $9 }'``) still
finds the MRENCLAVE as the 9th token, and a regular expression for 64 hex digits does too.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DocsServer", "render_page"]


def render_page(address: str, mrenclave: str) -> str:
    """The HTML of ``/public-CAS/`` for a CAS at ``address``."""
    first, _, rest = address.partition(".")
    addr = html.escape(address)
    attest_line = (
        '<div class="highlight"><pre><span></span><span class="gp">$</span> scone cas attest'
        f' <span class="m">{html.escape(first)}</span>.{html.escape(rest)} {mrenclave}'
        " -GCS --only_for_testing-debug --only_for_testing-ignore-signer"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Public CAS (localcas) - SCONE course</title></head>
<body>
<h1>Public CAS</h1>
<p>This course CAS is a <strong>localcas</strong> stand-in: it runs no enclave and its
attestation is emulated. It listens on <code>{addr}</code>, port 8081 (client API) and
port 18765 (enclave API). It runs in debug mode on an out-of-date TCB, like SCONE's
public debug CAS, and is identified by this MRENCLAVE:</p>
<table>
<tr><th>CAS address</th><th>MRENCLAVE</th></tr>
<tr><td>{addr}</td><td><code>{mrenclave}</code></td></tr>
</table>
<h2>Attest this CAS</h2>
{attest_line}
</pre></div>
</body>
</html>
"""


class DocsServer:
    """Serves the page on ``address:port`` in a background thread."""

    def __init__(self, address: str, port: int, mrenclave: str) -> None:
        page = render_page(address, mrenclave).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] in ("/public-CAS/", "/public-CAS"):
                    self._reply(200, page, "text/html; charset=utf-8")
                elif self.path == "/":
                    self._reply(200, b'<a href="/public-CAS/">Public CAS</a>\n', "text/html")
                else:
                    self._reply(404, b"not found\n", "text/plain")

            def _reply(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((address, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        """Starts serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        self._server.shutdown()
        self._server.server_close()
