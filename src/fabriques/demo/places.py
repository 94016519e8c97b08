"""Where the demo's Fabriques are: places chosen on purpose on the reference data shipped with the project.

The demo waves belong to the 2019 call, whose eligibility is computed with the QPV of 2015; the 2015 perimeters
shipped cover Occitanie only. So every Fabrique numérique of the closed wave is in Occitanie, set inside a real 2015
perimeter or a few hundred metres from it (three just beyond the call's 500 m: two are refused, one is admitted by
an explicit, motivated override); the Fabriques de territoire are spread over the thirteen régions of metropolitan
France, in small towns and villages (outside large urban centres) and in cities. Outside Occitanie every place was
set more than 1.2 km from any QPV of 2024 (the QPV of 2015 there are not shipped), so an instructor states « hors
QPV » without stretching the truth. Points were computed once from the shipped files (5 decimals, about a metre);
`tests/demo/test_demo.py` checks every outcome against the real eligibility report.

Names are fictitious: the demo's organisations, answers and scores are invented, the geography is real.
"""

from __future__ import annotations

from dataclasses import dataclass

# The call's distance for "in a QPV or in its immediate vicinity" (ami-tiers-lieux-2019.toml, track numerique).
QPV_LIMIT_M = 500

# INSEE code -> (name, département, région, latitude, longitude) from the shipped COG 2022 list, used only when the
# list has not been imported (unit tests): the demo then creates these rows itself.
COMMUNES = {
    "91405": ("Milly-la-Forêt", "91", "11", 48.40329, 2.46495),
    "94080": ("Vincennes", "94", "11", 48.84737, 2.43799),
    "18197": ("Saint-Amand-Montrond", "18", "24", 46.72617, 2.52014),
    "36018": ("Le Blanc", "36", "24", 46.63462, 1.10013),
    "37261": ("Tours", "37", "24", 47.39864, 0.69653),
    "21231": ("Dijon", "21", "27", 47.32294, 5.03789),
    "25434": ("Ornans", "25", "27", 47.09782, 6.15005),
    "58079": ("Clamecy", "58", "27", 47.46101, 3.51008),
    "14118": ("Caen", "14", "28", 49.18479, -0.36980),
    "14762": ("Vire Normandie", "14", "28", 48.85125, -0.88960),
    "61038": ("Bellême", "61", "28", 48.37304, 0.56343),
    "59350": ("Lille", "59", "32", 50.63172, 3.04783),
    "62447": ("Hesdin", "62", "32", 50.37376, 2.03813),
    "62588": ("Montreuil", "62", "32", 50.46553, 1.77099),
    "10033": ("Bar-sur-Aube", "10", "44", 48.23398, 4.71596),
    "67482": ("Strasbourg", "67", "44", 48.57127, 7.76753),
    "88367": ("Rambervillers", "88", "44", 48.34587, 6.63121),
    "44109": ("Nantes", "44", "52", 47.23164, -1.54831),
    "53062": ("Château-Gontier-sur-Mayenne", "53", "52", 47.82901, -0.73872),
    "85182": ("Pouzauges", "85", "52", 46.78126, -0.82878),
    "29024": ("Carhaix-Plouguer", "29", "53", 48.26876, -3.56626),
    "35238": ("Rennes", "35", "53", 48.11198, -1.68186),
    "56165": ("Ploërmel", "56", "53", 47.92218, -2.38314),
    "23079": ("Felletin", "23", "75", 45.88952, 2.18271),
    "23096": ("Guéret", "23", "75", 46.16321, 1.87079),
    "33063": ("Bordeaux", "33", "75", 44.85724, -0.57370),
    "64371": ("Mauléon-Licharre", "64", "75", 43.21664, -0.88310),
    "09261": ("Saint-Girons", "09", "76", 42.97529, 1.15327),
    "11069": ("Carcassonne", "11", "76", 43.20938, 2.34399),
    "11203": ("Lézignan-Corbières", "11", "76", 43.20367, 2.76215),
    "11206": ("Limoux", "11", "76", 43.04993, 2.23959),
    "11262": ("Narbonne", "11", "76", 43.16524, 3.02024),
    "12208": ("Saint-Affrique", "12", "76", 43.96567, 2.86653),
    "12300": ("Villefranche-de-Rouergue", "12", "76", 44.34992, 2.03103),
    "30007": ("Alès", "30", "76", 44.12501, 4.08829),
    "30132": ("La Grand-Combe", "30", "76", 44.22715, 4.02985),
    "30189": ("Nîmes", "30", "76", 43.84494, 4.34807),
    "30227": ("Saint-Ambroix", "30", "76", 44.25246, 4.19419),
    "31555": ("Toulouse", "31", "76", 43.59638, 1.43167),
    "32233": ("Marciac", "32", "76", 43.52125, 0.15630),
    "34028": ("Bédarieux", "34", "76", 43.61256, 3.16681),
    "34032": ("Béziers", "34", "76", 43.34759, 3.23077),
    "34142": ("Lodève", "34", "76", 43.73074, 3.30568),
    "34172": ("Montpellier", "34", "76", 43.61344, 3.86852),
    "34301": ("Sète", "34", "76", 43.39177, 3.64705),
    "46102": ("Figeac", "46", "76", 44.60553, 2.02540),
    "65440": ("Tarbes", "65", "76", 43.23479, 0.06601),
    "66136": ("Perpignan", "66", "76", 42.69660, 2.89937),
    "81004": ("Albi", "81", "76", 43.92582, 2.14686),
    "81065": ("Castres", "81", "76", 43.61565, 2.23787),
    "82112": ("Moissac", "82", "76", 44.12625, 1.09835),
    "82121": ("Montauban", "82", "76", 44.02226, 1.36409),
    "15187": ("Saint-Flour", "15", "84", 45.02789, 3.08321),
    "26113": ("Die", "26", "84", 44.74822, 5.37641),
    "69123": ("Lyon", "69", "84", 45.76993, 4.82922),
    "04019": ("Barcelonnette", "04", "93", 44.37856, 6.65215),
    "04088": ("Forcalquier", "04", "93", 43.95991, 5.78828),
    "13055": ("Marseille", "13", "93", 43.29990, 5.38228),
    "2A004": ("Ajaccio", "2A", "94", 41.93479, 8.70132),
    "2B096": ("Corte", "2B", "94", 42.27007, 9.08289),
}


@dataclass(frozen=True)
class DemoPlace:
    name: str
    commune: str  # INSEE code, a key of COMMUNES
    latitude: float
    longitude: float
    track: str  # "numerique" | "territoire"
    rural: bool  # the instructor's classification: outside large urban centres
    qpv: str = ""  # the QPV of 2015 the place was set against ("": far from any QPV)
    distance_m: int = 0  # metres outside that perimeter (0: inside)
    override: str = ""  # a failed rule admitted by an explicit override, with this reason

    @property
    def in_or_near_qpv(self) -> bool:
        """What the call counts as « en QPV » (in a perimeter or within the call's distance of one)."""
        return bool(self.qpv) and self.distance_m <= QPV_LIMIT_M

    @property
    def fails_qpv_rule(self) -> bool:
        return self.track == "numerique" and not self.in_or_near_qpv

    @property
    def refused(self) -> bool:
        """A failed rule without an override: the instructor declares the dossier inadmissible."""
        return self.fails_qpv_rule and not self.override


N, T = "numerique", "territoire"
EMPALOT_OVERRIDE = (
    "Le local principal est à un peu moins de 600 m du QPV Empalot, mais toutes les activités numériques se "
    "tiennent dans l’antenne ouverte au cœur du quartier (bail et planning joints) : dérogation accordée à titre "
    "exceptionnel, signalée au comité."
)

CLOSED_WAVE = [
    # Fabriques numériques, Occitanie: inside a QPV of 2015…
    DemoPlace("Le Fablab du Mirail", "31555", 43.57209, 1.40137, N, False, "QP031007"),
    DemoPlace("La Ruche numérique des Izards", "31555", 43.63804, 1.44225, N, False, "QP031011"),
    DemoPlace("Mosson Connectée", "34172", 43.6321, 3.81998, N, False, "QP034005"),
    DemoPlace("L’Atelier du Petit Bard", "34172", 43.61615, 3.83767, N, False, "QP034006"),
    DemoPlace("Pissevin Numérique", "30189", 43.82635, 4.33686, N, False, "QP030003"),
    DemoPlace("Le Bocal de Saint-Jacques", "66136", 42.69725, 2.89703, N, False, "QP066008"),
    DemoPlace("La Fabrique numérique de Béziers", "34032", 43.34136, 3.21607, N, False, "QP034001"),
    DemoPlace("Le Repaire numérique d’Ozanam", "11069", 43.21221, 2.37574, N, False, "QP011002"),
    DemoPlace("Lodève Numérique Solidaire", "34142", 43.73145, 3.32107, N, True, "QP034022"),
    DemoPlace("Le Cyber-atelier du Couserans", "09261", 42.98418, 1.14591, N, True, "QP009001"),
    DemoPlace("La Mine numérique", "30132", 44.212, 4.03013, N, True, "QP030016"),
    # … a few hundred metres from one (eligible: within 500 m) …
    DemoPlace("Cantepau Connect", "81004", 43.94347, 2.148, N, False, "QP081006", 300),
    DemoPlace("L’Espace numérique de Tarbes-Nord", "65440", 43.24523, 0.05157, N, False, "QP065002", 250),
    DemoPlace("Le Lab de Chambord", "82121", 44.00612, 1.37271, N, False, "QP082002", 400),
    # … and just beyond 500 m: two refusals, one explicit override.
    DemoPlace("Le Cyber-espace de Lameilhé", "81065", 43.59649, 2.26355, N, False, "QP081003", 750),
    DemoPlace("Narbonne Code Ouest", "11262", 43.18219, 2.96541, N, False, "QP011007", 650),
    DemoPlace("La Fabrique d’Empalot", "31555", 43.57173, 1.43171, N, False, "QP031010", 560, EMPALOT_OVERRIDE),
    # Fabriques de territoire, Occitanie: in the QPV of small towns, of cities, and in the countryside.
    DemoPlace("La Bastide Partagée", "12300", 44.35332, 2.03684, T, True, "QP012002"),
    DemoPlace("Le Tiers-lieu de l’Orb", "34028", 43.6159, 3.1589, T, True, "QP034020"),
    DemoPlace("L’Atelier de la Haute-Vallée", "11206", 43.05442, 2.2175, T, True, "QP011001"),
    DemoPlace("Sarlac en Commun", "82112", 44.10158, 1.09952, T, True, "QP082004"),
    DemoPlace("L’Écusson Coopératif", "30227", 44.26042, 4.1974, T, True, "QP030014"),
    DemoPlace("La Maison des Corbières", "11203", 43.20133, 2.76004, T, True, "QP011010"),
    DemoPlace("La Fabrique des Cévennes", "30007", 44.13545, 4.08149, T, False, "QP030001"),
    DemoPlace("L’Île aux Projets", "34301", 43.41295, 3.66304, T, False, "QP034017"),
    DemoPlace("La Grange numérique du Célé", "46102", 44.60553, 2.0254, T, True),
    DemoPlace("La Halle de Marciac", "32233", 43.52125, 0.1563, T, True),
    DemoPlace("Le Relais du Sud-Aveyron", "12208", 43.96567, 2.86653, T, True),
    # Fabriques de territoire in the other régions: small towns and villages, and a city each.
    DemoPlace("La Ferme des Communs", "91405", 48.40329, 2.46495, T, True),
    DemoPlace("L’Établi de Vincennes", "94080", 48.84737, 2.43662, T, False),
    DemoPlace("Le Hangar de Tours", "37261", 47.39864, 0.69653, T, False),
    DemoPlace("Le Cher Partagé", "18197", 46.72617, 2.52014, T, True),
    DemoPlace("La Brenne Numérique", "36018", 46.63462, 1.10013, T, True),
    DemoPlace("La Coursive Dijonnaise", "21231", 47.32294, 5.03789, T, False),
    DemoPlace("Le Port de Clamecy", "58079", 47.46101, 3.51008, T, True),
    DemoPlace("L’Atelier de la Loue", "25434", 47.09782, 6.15005, T, True),
    DemoPlace("La Fabrique de la Presqu’île", "14118", 49.18479, -0.3698, T, False),
    DemoPlace("Le Bocage Connecté", "14762", 48.85125, -0.8896, T, True),
    DemoPlace("Perche en Commun", "61038", 48.37304, 0.56343, T, True),
    DemoPlace("La Filature Partagée", "59350", 50.638, 3.04784, T, False),
    DemoPlace("Les Remparts Partagés", "62588", 50.46553, 1.77099, T, True),
    DemoPlace("La Canche Coopérative", "62447", 50.37376, 2.03813, T, True),
    DemoPlace("Le Quai des Tanneurs", "67482", 48.56657, 7.74703, T, False),
    DemoPlace("La Côte des Bar en Commun", "10033", 48.23398, 4.71596, T, True),
    DemoPlace("Les Vosges Partagées", "88367", 48.34587, 6.63121, T, True),
    DemoPlace("L’Île Créative", "44109", 47.22962, -1.55095, T, False),
    DemoPlace("La Mayenne Partagée", "53062", 47.82901, -0.73872, T, True),
    DemoPlace("Le Bocage Vendéen en Commun", "85182", 46.78126, -0.82878, T, True),
    DemoPlace("Le Labo des Lices", "35238", 48.11198, -1.68186, T, False),
    DemoPlace("Le Kreiz Breizh Coopératif", "29024", 48.26876, -3.56626, T, True),
    DemoPlace("L’Atelier du Porhoët", "56165", 47.92218, -2.38314, T, True),
    DemoPlace("Le Chai Numérique", "33063", 44.85117, -0.56435, T, False),
    DemoPlace("Le Plateau en Commun", "23079", 45.88952, 2.18271, T, True),
    DemoPlace("La Soule Partagée", "64371", 43.21664, -0.8831, T, True),
    DemoPlace("La Traboule Numérique", "69123", 45.76993, 4.82922, T, False),
    DemoPlace("Le Diois en Commun", "26113", 44.74822, 5.37641, T, True),
    DemoPlace("La Planèze Partagée", "15187", 45.02789, 3.08321, T, True),
    DemoPlace("L’Atelier du Jarret", "13055", 43.29944, 5.40321, T, False),
    DemoPlace("Le Lure Coopératif", "04088", 43.95991, 5.78828, T, True),
    DemoPlace("L’Ubaye en Commun", "04019", 44.37856, 6.65215, T, True),
    DemoPlace("U Locu Cumunu", "2A004", 41.93479, 8.70132, T, False),
    DemoPlace("A Casa di u Centru", "2B096", 42.27007, 9.08289, T, True),
]


def closed_wave_places(count: int | None = None) -> list[DemoPlace]:
    """Every place of the closed wave, or `count` admissible ones spread over the list (smaller test waves)."""
    if count is None or count >= len(CLOSED_WAVE):
        return list(CLOSED_WAVE)
    admissible = [p for p in CLOSED_WAVE if not p.refused]
    count = min(count, len(admissible))
    return [admissible[i * len(admissible) // count] for i in range(count)]


# The wave in instruction (issue 16): one dossier in every state a role acts on.
CAPITOLE = DemoPlace("La Fabrique du Capitole", "31555", 43.6045, 1.4440, N, False)  # 1.5 km from any QPV: fails
GUERET = DemoPlace("La Filature de Guéret", "23096", 46.15819, 1.86791, T, True)
PENTES = DemoPlace("Le Lab des Pentes", "69123", 45.76993, 4.82922, N, False)  # QPV of 2015 not shipped: to check
NANTES = DemoPlace("Mon tiers-lieu nantais", "44109", 47.22962, -1.55095, T, False)
DIJON = DemoPlace("Le Grenier de Dijon", "21231", 47.32294, 5.03789, T, False)
CAEN = DemoPlace("La Fabrique du Port de Caen", "14118", 49.18479, -0.3698, T, False)
FIGEAC = DemoPlace("Ma Fabrique de Figeac", "46102", 44.60553, 2.0254, T, True)
