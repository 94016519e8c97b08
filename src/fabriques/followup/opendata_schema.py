"""Frictionless Table Schema of the follow-up's open data (aggregated indicators)."""

FIELDS = [
    {"name": "appel", "type": "string", "title": "Appel", "description": "Identifiant de l’appel.",
     "constraints": {"required": True}},
    {"name": "annee", "type": "integer", "title": "Année de la convention",
     "description": "Année du compte rendu (1 : première année après l’entrée en vigueur).",
     "constraints": {"required": True, "minimum": 1}},
    {"name": "axe", "type": "string", "title": "Axe de regroupement",
     "description": "« entree » : par entrée de l’appel ; « region » : par région du lieu.",
     "constraints": {"required": True, "enum": ["entree", "region"]}},
    {"name": "valeur_axe", "type": "string", "title": "Valeur de l’axe",
     "description": "Identifiant de l’entrée, ou code INSEE de la région (vide si inconnue)."},
    {"name": "indicateur", "type": "string", "title": "Indicateur",
     "description": "Code de l’indicateur de pilotage défini par l’appel.", "constraints": {"required": True}},
    {"name": "unite", "type": "string", "title": "Unité", "description": "Unité de l’indicateur."},
    {"name": "total", "type": "number", "title": "Total",
     "description": "Somme des valeurs des comptes rendus acceptés.", "constraints": {"required": True, "minimum": 0}},
    {"name": "nombre_laureats", "type": "integer", "title": "Nombre de lauréats",
     "description": "Lauréats dont le compte rendu accepté renseigne l’indicateur.",
     "constraints": {"required": True, "minimum": 1}},
]

TABLE_SCHEMA = {"fields": FIELDS, "primaryKey": ["appel", "annee", "axe", "valeur_axe", "indicateur"],
                "missingValues": []}


def datapackage(*, call, base: str, csv_path: str) -> dict:
    return {
        "name": f"fabriques-suivi-indicateurs-{call.slug}",
        "title": f"Indicateurs de pilotage des lauréats — {call.short_title}",
        "description": "Indicateurs des comptes rendus annuels acceptés, additionnés par année et par entrée ou "
                       "région. Aucune donnée personnelle ni nominative.",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
                      "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}],
        "resources": [{"name": "indicateurs", "path": f"{base}{csv_path}", "format": "csv", "mediatype": "text/csv",
                       "encoding": "utf-8", "profile": "tabular-data-resource", "schema": TABLE_SCHEMA}],
    }
