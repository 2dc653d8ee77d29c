"""Yes/no, numbers, street addresses, names and table entities from spoken French."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oui", "yes"),
        ("ouais", "yes"),
        ("oui oui", "yes"),
        ("euh oui", "yes"),
        ("d'accord", "yes"),
        ("d' accord", "yes"),
        ("c'est ça", "yes"),
        ("c'est bien ça", "yes"),
        ("exactement", "yes"),
        ("tout à fait", "yes"),
        ("bien sûr", "yes"),
        ("ok", "yes"),
        ("oui c'est bien ça merci", "yes"),
        ("si", "yes"),
        ("non", "no"),
        ("non merci", "no"),
        ("pas du tout", "no"),
        ("non non", "no"),
        ("absolument pas", "no"),
        ("ce n'est pas ça", "no"),
        ("c'est pas ça", "no"),
        ("euh non", "no"),
        ("je ne crois pas", "no"),
        ("oui je crois", "yes"),
        ("NON", "no"),
    ],
)
def test_yes_no(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("yes_no", text, monday) == expected


@pytest.mark.parametrize("text", ["", "euh", "je sais pas trop", "peut-être", "le passeport"])
def test_neither_yes_nor_no(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("yes_no", text, monday) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trois", "3"),
        ("j'ai deux enfants", "2"),
        ("vingt et un", "21"),
        ("quatre-vingt-dix-neuf", "99"),
        ("soixante dix huit", "78"),
        ("soixante et onze", "71"),
        ("cent", "100"),
        ("deux cent cinquante", "250"),
        ("mille deux cents", "1200"),
        ("deux mille vingt-six", "2026"),
        ("quatre-vingts", "80"),
        ("42", "42"),
        ("zéro", "0"),
        ("euh dix-sept", "17"),
    ],
)
def test_numbers(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("number", text, monday) == expected


@pytest.mark.parametrize("text", ["", "aucun", "bonjour", "et"])
def test_no_number(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("number", text, monday) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("au douze rue victor hugo", "12 rue victor hugo"),
        ("douze rue victor hugo", "12 rue victor hugo"),
        ("12 rue Victor Hugo", "12 rue victor hugo"),
        ("au douze bis rue victor hugo", "12 bis rue victor hugo"),
        ("trois ter avenue de la gare", "3 ter avenue de la gare"),
        ("au cent vingt-trois boulevard jean jaurès", "123 boulevard jean jaurès"),
        ("il y a un trou au quatre rue de l'église depuis hier", "4 rue de l'église"),
        ("rue de la paix", "rue de la paix"),
        ("j'habite au vingt et un chemin des vignes et voilà", "21 chemin des vignes"),
        ("devant le sept place du marché", "7 place du marché"),
        ("impasse des roses", "impasse des roses"),
    ],
)
def test_addresses(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("address", text, monday) == expected


@pytest.mark.parametrize(
    "text",
    ["", "douze", "dans la rue", "rue", "au douze", "bonjour", "la rue est inondée",
     "il reste de la place demain", "une place en crèche", "rue de la"],
)
def test_no_address(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("address", text, monday) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je m'appelle jean dupont", "Jean Dupont"),
        ("je m' appelle jean dupont", "Jean Dupont"),
        ("dupont", "Dupont"),
        ("jean dupont", "Jean Dupont"),
        ("madame martin", "Martin"),
        ("c'est monsieur durand", "Durand"),
        ("mon nom est marie de la fontaine", "Marie de la Fontaine"),
        ("moi c'est sophie", "Sophie"),
        ("euh je m'appelle jean pierre martin", "Jean Pierre Martin"),
        ("je suis madame lefèvre", "Lefèvre"),
        ("dupont d u p o n t", "Dupont"),
        ("jean d u p o n t", "Jean Dupont"),
    ],
)
def test_names(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("name", text, monday) == expected


@pytest.mark.parametrize(
    "text",
    ["", "oui", "non merci", "je voudrais un rendez-vous", "douze", "je sais pas", "42",
     "un deux trois quatre cinq six"],
)
def test_no_name(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("name", text, monday) is None


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("subject", "c'est pour un passeport", "passeport"),
        ("subject", "pour ma carte d'identité", "identite"),
        ("subject", "pour ma carte d identite", "identite"),
        ("subject", "un acte de naissance", "etat_civil"),
        ("problem", "il y a un nid de poule", "voirie"),
        ("problem", "le lampadaire est en panne", "eclairage"),
        ("problem", "des graffitis sur le mur", "graffiti"),
        ("problem", "une fuite d'eau", "fuite"),
        ("problem", "un arbre est tombé", "arbre"),
        ("problem", "un dépôt sauvage", "depot_sauvage"),
        ("problem", "du bruit toute la nuit", "bruit"),
    ],
)
def test_table_entities(
    mairie: FrenchUnderstander, monday: datetime, kind: str, text: str, expected: str
) -> None:
    assert mairie.extract(kind, text, monday) == expected


def test_unknown_kind_and_bad_text_give_none(mairie: FrenchUnderstander, monday: datetime) -> None:
    assert mairie.extract("colour", "rouge", monday) is None
    assert mairie.extract("problem", "tout va bien", monday) is None
    assert mairie.extract("date", None, monday) is None  # type: ignore[arg-type]


def test_free_text(mairie: FrenchUnderstander, monday: datetime) -> None:
    said = "euh le lampadaire clignote depuis lundi"
    assert mairie.extract("text", said, monday) == "le lampadaire clignote depuis lundi"
    assert mairie.extract("text", "l' arbre  est tombé c'est ça", monday) == (
        "l'arbre est tombé c'est ça"
    )
    assert mairie.extract("text", "euh", monday) is None
    assert mairie.extract("text", "", monday) is None
