"""A local HTTP server answering like « Recherche d'entreprises » (GET /search?q=…&page=&per_page=), in the API's
documented format, from a few establishments. Tests point FABRIQUES_COMPANY_LOOKUP_URL at it."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ASSOCIATION_SIRET = "73282932000074"
CLOSED_SIRET = "40483304800022"
COMPANIES = [
    {
        "siren": "732829320", "nom_complet": "ASSOCIATION LES PENTES", "nom_raison_sociale": "ASSOCIATION LES PENTES",
        "nature_juridique": "9220", "activite_principale": "94.99Z", "etat_administratif": "A",
        "date_creation": "2012-03-01", "tranche_effectif_salarie": "03", "section_activite_principale": "S",
        "siege": {
            "siret": ASSOCIATION_SIRET, "adresse": "1 PLACE SATHONAY 69001 LYON", "code_postal": "69001",
            "commune": "69123", "libelle_commune": "LYON", "activite_principale": "94.99Z",
            "etat_administratif": "A", "est_siege": True, "latitude": "45.7676", "longitude": "4.8319",
        },
        "matching_etablissements": [],
        "complements": {"identifiant_association": "W691234567", "est_association": True, "est_ess": True},
        "nombre_etablissements": 1, "nombre_etablissements_ouverts": 1,
    },
    {
        "siren": "404833048", "nom_complet": "ANCIENNE FABRIQUE SARL", "nature_juridique": "5499",
        "activite_principale": "62.01Z", "etat_administratif": "C",
        "siege": {
            "siret": CLOSED_SIRET, "adresse": "3 RUE DU PORT 31000 TOULOUSE", "code_postal": "31000",
            "commune": "31555", "libelle_commune": "TOULOUSE", "activite_principale": "62.01Z",
            "etat_administratif": "F", "est_siege": True,
        },
        "matching_etablissements": [],
        "complements": {"identifiant_association": None, "est_association": False},
    },
]


class DirectoryHandler(BaseHTTPRequestHandler):
    requests: list = []
    delay = 0.0
    status = 200

    def do_GET(self):
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, **params})
        if self.delay:
            time.sleep(self.delay)
        if url.path != "/search" or self.status != 200:
            self._send(self.status if self.status != 200 else 404, {"erreur": "introuvable"})
            return
        q = params.get("q", "").lower()
        found = [c for c in COMPANIES if q in c["siren"] or q in c["siege"]["siret"] or q in c["nom_complet"].lower()]
        per_page = int(params.get("per_page", "10"))
        self._send(200, {"results": found[:per_page], "total_results": len(found), "page": int(params.get("page", 1)),
                         "per_page": per_page, "total_pages": 1})

    def _send(self, status, body):
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


class Directory:
    def __init__(self):
        DirectoryHandler.requests, DirectoryHandler.delay, DirectoryHandler.status = [], 0.0, 200
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), DirectoryHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    @property
    def requests(self):
        return DirectoryHandler.requests

    def slow(self, seconds: float):
        DirectoryHandler.delay = seconds

    def fail(self, status: int):
        DirectoryHandler.status = status

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
