"""Start the test OpenID Connect provider (tests/oidc: panva/oidc-provider on Node.js) on 127.0.0.1.

Its packages are installed from tests/oidc/package-lock.json (`npm ci`) the first time, so a fresh clone needs only
Node.js ≥ 20 and npm (Debian: `apt-get install nodejs npm`) and access to the npm registry once.
"""

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "fabriques-test", "secret-de-test-du-client-oidc"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def provider_ready() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the ProConnect tests (Debian: apt-get install nodejs npm)")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        command = [shutil.which("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(command, cwd=OIDC_DIR, check=True, timeout=600)  # noqa: S603 - fixed arguments


class OidcProvider:
    def __init__(self, site_url: str):
        provider_ready()
        port = _free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORT": str(port), "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
               "REDIRECT_URI": f"{site_url}/compte/oidc/proconnect/login/callback/",
               "POST_LOGOUT_REDIRECT_URI": f"{site_url}/", "NODE_NO_WARNINGS": "1"}
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [shutil.which("node"), "server.js"], cwd=OIDC_DIR, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in self.process.stdout:  # warnings (runtime, in-memory adapter) come first, then "ready <issuer>"
            lines.append(line)
            if line.startswith("ready") or len(lines) > 20:
                break
        if not lines or not lines[-1].startswith("ready"):
            self.stop()
            raise RuntimeError("the test OpenID Connect provider did not start:\n" + "".join(lines))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
