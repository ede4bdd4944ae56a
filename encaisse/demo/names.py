"""Word lists from which the generator builds French company, people and place names."""

from __future__ import annotations

import random
import unicodedata

TRADES = (
    "Boulangerie", "Boucherie", "Menuiserie", "Charpente", "Transports", "Garage",
    "Imprimerie", "Pharmacie", "Plomberie", "Électricité", "Maçonnerie", "Fromagerie",
    "Librairie", "Pâtisserie", "Carrosserie", "Serrurerie", "Ébénisterie", "Brasserie",
    "Cave", "Atelier", "Quincaillerie", "Jardinerie", "Miroiterie", "Tôlerie",
    "Chaudronnerie", "Couverture", "Peinture", "Fonderie", "Laboratoire", "Cabinet",
    "Agence", "Hôtel", "Restaurant", "Traiteur", "Clinique", "Pressing",
)  # fmt: skip
ACTIVITIES = (
    "Transports", "Bâtiment", "Logistique", "Négoce", "Distribution", "Industries",
    "Services", "Conseil", "Ingénierie", "Équipements", "Emballages", "Matériaux",
    "Informatique", "Nettoyage", "Sécurité", "Travaux Publics", "Froid", "Énergies",
)  # fmt: skip
PLACES = (
    "du Lac", "de la Forêt", "du Moulin", "des Alpes", "du Littoral", "de la Vallée",
    "du Centre", "de l'Ouest", "du Port", "des Vignes", "de la Gare", "du Château",
    "des Tilleuls", "du Val de Loire", "de Provence", "du Vieux Pont", "de la Côte",
    "des Remparts", "du Marché", "de Bretagne", "du Jura", "des Cévennes",
)  # fmt: skip
LEGAL_FORMS = ("SARL", "SAS", "SA", "EURL", "SASU", "SNC")
SYLLABLES_START = ("Tech", "Nova", "Bati", "Agri", "Euro", "Logi", "Viti", "Aéro", "Méca", "Hydro")
SYLLABLES_END = ("nova", "lis", "tec", "val", "pro", "log", "dis", "form", "lia", "vert")
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel",
    "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez",
    "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer",
    "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
)  # fmt: skip
FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Claire", "Sophie",
    "Nathalie", "Isabelle", "Céline", "Émilie", "Pauline", "Hélène", "Anne", "Marie",
    "Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Julien", "Nicolas", "Pierre",
    "Antoine", "Maxime", "Mathieu", "Olivier", "Philippe", "Laurent", "Stéphane",
    "François", "Éric", "Sébastien", "Vincent", "Karim", "Mehdi", "Yasmine", "Samia",
)  # fmt: skip
STREET_TYPES = ("rue", "avenue", "boulevard", "place", "chemin", "allée", "impasse", "quai")
STREET_NAMES = (
    "de la République", "Victor Hugo", "Jean Jaurès", "du Général de Gaulle", "Pasteur",
    "des Lilas", "de la Gare", "du Moulin", "Gambetta", "Voltaire", "des Écoles",
    "de la Liberté", "Émile Zola", "du Stade", "des Acacias", "Nationale", "de Verdun",
    "Jules Ferry", "de l'Église", "du Commerce", "des Artisans", "Anatole France",
)  # fmt: skip
# (city, postal code, relative weight ~ business density)
CITIES = (
    ("Paris", "75011", 14), ("Paris", "75015", 10), ("Paris", "75008", 8),
    ("Lyon", "69003", 8), ("Lyon", "69007", 5), ("Marseille", "13008", 7),
    ("Toulouse", "31000", 6), ("Nice", "06000", 4), ("Nantes", "44000", 5),
    ("Strasbourg", "67000", 4), ("Montpellier", "34000", 4), ("Bordeaux", "33000", 5),
    ("Lille", "59000", 5), ("Rennes", "35000", 4), ("Reims", "51100", 2),
    ("Le Havre", "76600", 2), ("Saint-Étienne", "42000", 2), ("Toulon", "83000", 2),
    ("Grenoble", "38000", 3), ("Dijon", "21000", 2), ("Angers", "49000", 2),
    ("Nîmes", "30000", 2), ("Clermont-Ferrand", "63000", 2), ("Le Mans", "72000", 2),
    ("Aix-en-Provence", "13100", 2), ("Brest", "29200", 2), ("Tours", "37000", 2),
    ("Amiens", "80000", 2), ("Limoges", "87000", 1), ("Annecy", "74000", 2),
    ("Perpignan", "66000", 1), ("Metz", "57000", 2), ("Besançon", "25000", 1),
    ("Orléans", "45000", 2), ("Rouen", "76000", 2), ("Caen", "14000", 1),
    ("Nancy", "54000", 1), ("Avignon", "84000", 1), ("Poitiers", "86000", 1),
    ("La Rochelle", "17000", 1), ("Pau", "64000", 1), ("Bayonne", "64100", 1),
    ("Chambéry", "73000", 1), ("Valence", "26000", 1), ("Colmar", "68000", 1),
    ("Quimper", "29000", 1), ("Vannes", "56000", 1), ("Troyes", "10000", 1),
)  # fmt: skip
_CITY_WEIGHTS = tuple(float(weight) for _city, _code, weight in CITIES)


def ascii_slug(text: str, separator: str = "-") -> str:
    """'Menuiserie du Lac' → 'menuiserie-du-lac' (for e-mail addresses)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    return separator.join(words)


def company_name(rng: random.Random) -> str:
    pattern = rng.random()
    last = rng.choice(LAST_NAMES)
    if pattern < 0.30:
        return f"{rng.choice(TRADES)} {last}"
    if pattern < 0.50:
        return f"{rng.choice(TRADES)} {rng.choice(PLACES)}"
    if pattern < 0.75:
        return f"{rng.choice(ACTIVITIES)} {last} {rng.choice(LEGAL_FORMS)}"
    if pattern < 0.88:
        return f"{last} & Fils"
    return f"{rng.choice(SYLLABLES_START)}{rng.choice(SYLLABLES_END)} {rng.choice(LEGAL_FORMS)}"


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def street_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREET_TYPES)} {rng.choice(STREET_NAMES)}"


def city(rng: random.Random) -> tuple[str, str]:
    name, postal_code, _weight = rng.choices(CITIES, weights=_CITY_WEIGHTS)[0]
    return name, postal_code


def phone(rng: random.Random, postal_code: str) -> str:
    """A French landline whose prefix matches the region (01 Paris … 05 south-west)."""
    department = int(postal_code[:2]) if postal_code[:2].isdigit() else 75
    prefix = {75: 1, 92: 1, 93: 1, 94: 1}.get(department)
    if prefix is None:
        prefix = 2 if department in {14, 29, 35, 37, 44, 45, 49, 56, 72, 76, 86} else 0
    if prefix == 0:
        prefix = 3 if department in {10, 21, 25, 51, 54, 57, 59, 67, 68, 80} else 4
    if prefix == 4 and department in {17, 31, 33, 64, 66, 87}:
        prefix = 5
    digits = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
    return f"0{prefix} {digits}"
