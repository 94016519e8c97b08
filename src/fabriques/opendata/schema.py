"""The Frictionless descriptors of the open data (Table Schema of laureats.csv, Data Package)."""

from django.conf import settings

LICENSE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}

FIELDS = [
    {"name": "reference", "type": "string", "title": "Référence du dossier",
     "description": "Référence attribuée au dépôt du dossier.", "constraints": {"required": True, "unique": True}},
    {"name": "nom_lieu", "type": "string", "title": "Nom du lieu", "description": "Nom du tiers-lieu soutenu."},
    {"name": "commune", "type": "string", "title": "Commune", "description": "Nom de la commune du lieu."},
    {"name": "code_insee", "type": "string", "title": "Code INSEE de la commune",
     "description": "Code officiel géographique de la commune (5 caractères, 2A/2B pour la Corse).",
     "constraints": {"pattern": "[0-9][0-9AB][0-9]{3}"}},
    {"name": "departement", "type": "string", "title": "Département", "description": "Code du département.",
     "constraints": {"pattern": "[0-9][0-9AB][0-9]?"}},
    {"name": "region", "type": "string", "title": "Région", "description": "Code INSEE de la région.",
     "constraints": {"pattern": "[0-9]{2}"}},
    {"name": "appel", "type": "string", "title": "Appel", "description": "Identifiant de l’appel à manifestation.",
     "constraints": {"required": True}},
    {"name": "vague", "type": "string", "title": "Vague", "description": "Identifiant de la vague de l’appel.",
     "constraints": {"required": True}},
    {"name": "vague_libelle", "type": "string", "title": "Libellé de la vague", "description": "Nom de la vague."},
    {"name": "entree", "type": "string", "title": "Entrée", "description": "Identifiant de l’entrée de l’appel.",
     "constraints": {"required": True}},
    {"name": "entree_libelle", "type": "string", "title": "Libellé de l’entrée", "description": "Nom de l’entrée."},
    {"name": "montant_eur", "type": "integer", "title": "Montant accordé (€)",
     "description": "Subvention accordée par le comité, en euros.", "constraints": {"required": True, "minimum": 0}},
    {"name": "date_decision", "type": "date", "title": "Date de la décision",
     "description": "Date d’application de la décision du comité (heure de Paris).", "constraints": {"required": True}},
    {"name": "latitude", "type": "number", "title": "Latitude (WGS 84)", "description": "Latitude du point, en degrés.",
     "constraints": {"minimum": -90, "maximum": 90}},
    {"name": "longitude", "type": "number", "title": "Longitude (WGS 84)",
     "description": "Longitude du point, en degrés.", "constraints": {"minimum": -180, "maximum": 180}},
    {"name": "source_coordonnees", "type": "string", "title": "Source des coordonnées",
     "description": "« lieu » : coordonnées du lieu ; « commune » : point de la commune, faute de coordonnées.",
     "constraints": {"required": True, "enum": ["lieu", "commune"]}},
    {"name": "code_qpv", "type": "string", "title": "Code QPV",
     "description": "Code du quartier prioritaire de la politique de la ville, si le lieu y est ou à proximité.",
     "constraints": {"pattern": "(QP|QN)[0-9A-Z]{6,10}"}},
    {"name": "quartier_prioritaire", "type": "boolean", "title": "En quartier prioritaire ou à proximité",
     "description": "« true » quand l’instruction a classé le lieu dans un quartier prioritaire de la politique de la "
                    "ville ou à proximité (ce que comptent les statistiques), même si le code du quartier n’est pas "
                    "connu ; « false » sinon.",
     "constraints": {"required": True}},
]

TABLE_SCHEMA = {"fields": FIELDS, "primaryKey": ["reference"], "missingValues": [""]}


def datapackage(base_url: str = "") -> dict:
    base = base_url or settings.SITE_URL.rstrip("/")
    return {
        "name": "fabriques-laureats",
        "title": "Lauréats de l’AMI Tiers-lieux",
        "description": "Tiers-lieux lauréats (décisions du comité appliquées) : lieu, commune, entrée, vague, "
                       "montant accordé et coordonnées. Aucune donnée personnelle.",
        "licenses": [LICENSE],
        "resources": [
            {"name": "laureats", "path": f"{base}/donnees/laureats.csv", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8", "profile": "tabular-data-resource", "schema": TABLE_SCHEMA},
            {"name": "laureats-geojson", "path": f"{base}/donnees/laureats.geojson", "format": "geojson",
             "mediatype": "application/geo+json"},
        ],
    }
