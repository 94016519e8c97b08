"""A local HTTP server implementing the few data.gouv.fr API v1 endpoints `publish-opendata` uses, in the documented
format: GET /api/1/datasets/{id}/, POST /api/1/datasets/{id}/upload/ (multipart `file` → a new resource),
POST /api/1/datasets/{id}/resources/{rid}/upload/ (new file), PUT /api/1/datasets/{id}/resources/{rid}/ (JSON).
Every call needs the header X-API-KEY; resources carry `checksum: {"type": "sha1", "value": …}` and `filesize`."""

import datetime as dt
import hashlib
import json
import re
import threading
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "cle-de-test-datagouv"


class DataGouv:
    def __init__(self, dataset_id="5f3c0a1b2c3d4e5f60718293"):
        self.dataset_id = dataset_id
        self.resources: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.calls: list[tuple[str, str]] = []
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def _route(self, method):  # noqa: PLR0911 - one return per endpoint, as a router
                body = self._body()
                server_self.calls.append((method, self.path))
                if self.headers.get("X-API-KEY") != API_KEY:
                    return self._reply(401, {"message": "Invalid API Key"})
                match = re.fullmatch(r"/api/1/datasets/([^/]+)/(?:(upload)/|resources/([^/]+)/(upload/)?)?", self.path)
                if not match or match.group(1) != server_self.dataset_id:
                    return self._reply(404, {"message": "Not found"})
                _, new_upload, rid, file_upload = match.groups()
                if method == "GET" and not (new_upload or rid):
                    return self._reply(200, server_self.dataset())
                if method == "POST" and new_upload:
                    return self._reply(201, server_self.upload(None, *self._file(body)))
                resource = next((r for r in server_self.resources if r["id"] == rid), None)
                if resource is None:
                    return self._reply(404, {"message": "Resource not found"})
                if method == "POST" and file_upload:
                    return self._reply(200, server_self.upload(resource, *self._file(body)))
                if method == "PUT" and not file_upload:
                    data = json.loads(body)
                    resource.update({k: v for k, v in data.items() if k in (
                        "title", "description", "format", "mime", "type")})
                    resource["last_modified"] = dt.datetime.now(dt.UTC).isoformat()
                    return self._reply(200, resource)
                return self._reply(405, {"message": "Method not allowed"})

            def _file(self, body: bytes) -> tuple[str, bytes]:
                header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(header + body)
                part = next(p for p in message.iter_parts() if p.get_param("name", header="content-disposition")
                            == "file")
                return part.get_filename(), part.get_payload(decode=True)

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

            def do_PUT(self):
                self._route("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def dataset(self) -> dict:
        return {"id": self.dataset_id, "slug": "laureats-ami-tiers-lieux", "title": "Lauréats",
                "resources": self.resources, "license": "lov2"}

    def upload(self, resource, filename: str, content: bytes) -> dict:
        now = dt.datetime.now(dt.UTC).isoformat()
        if resource is None:
            resource = {"id": str(uuid.uuid4()), "title": filename, "description": None, "filetype": "file",
                        "type": "main", "format": filename.rsplit(".", 1)[-1], "mime": None, "created_at": now}
            self.resources.append(resource)
        resource.update({"url": f"{self.url}/fichiers/{resource['id']}/{filename}", "filesize": len(content),
                         "checksum": {"type": "sha1", "value": hashlib.sha1(content).hexdigest()},  # noqa: S324
                         "last_modified": now})
        self.files[resource["id"]] = content
        return resource

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
