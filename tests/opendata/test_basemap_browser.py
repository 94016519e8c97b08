"""Browser: with a tile URL, the map fetches its basemap tiles from the tile server (a local one here)."""

import re
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(size: int = 256, rgb: tuple[int, int, int] = (221, 232, 214)) -> bytes:
    """A plain PNG tile, one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def tile_server():
    """An HTTP server on localhost answering a PNG for any /z/x/y.png, recording the paths asked for."""
    requested, body = [], png()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requested
    server.shutdown()
    server.server_close()


def test_map_draws_the_basemap_tiles_from_the_configured_tile_server(live_server, page, world, settings,
                                                                       tile_server, screenshot, axe_check):
    origin, requested = tile_server
    settings.FABRIQUES_TILE_URL = origin + "/{z}/{x}/{y}.png"
    settings.FABRIQUES_TILE_ATTRIBUTION = "tuiles de test"
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)

    page.goto(f"{live_server.url}/donnees/carte/?region=76")
    page.wait_for_load_state("networkidle")

    drawn = page.locator("svg[role=img] image")
    expect(drawn.first).to_be_attached()
    hrefs = drawn.evaluate_all("images => images.map(i => i.getAttribute('href'))")
    assert all(re.fullmatch(re.escape(origin) + r"/\d+/\d+/\d+\.png", h) for h in hrefs)
    assert sorted(set(requested)) == sorted(h.removeprefix(origin) for h in hrefs)
    assert blocked == []
    expect(page.get_by_text("Projection Web Mercator ; fond de carte : tuiles de test.")).to_be_visible()
    expect(page.get_by_role("table", name="Lauréats affichés")).to_contain_text(world.laureate.place_name)
    screenshot("map-basemap")
    axe_check("map page with basemap")
