"""A broken definition is refused with a message naming the key, and nothing is loaded."""

import re

import pytest

from fabriques.calls.definition import DefinitionError, parse_definition
from fabriques.calls.domain import DEFINITIONS_DIR, call_load
from fabriques.calls.models import Call, Criterion, Track, Wave

MONEY_TERRITOIRE = (
    "money = { min_eur = 50000, max_eur = 150000, duration_years = 3, per_year_cap_eur = 50000 }\n\n"
    '[[tracks.rules]]\nkind = "legal_form"\nlabel = "Être une personne morale existante d’une forme juridique éligible"'
    '\n\n[[tracks.rules]]\nkind = "tiers_lieux_network"'
)
GOOD = (DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text(encoding="utf-8")


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


def test_the_2019_definition_is_valid_with_two_tracks_and_twelve_criteria():
    definition = parse_definition(GOOD, source="ami.toml")

    assert [t.slug for t in definition.tracks] == ["numerique", "territoire"]
    assert len(definition.criteria) == 12
    assert definition.tracks[0].rules[1].max_distance_m == 500
    assert str(definition.waves[0].opens_at.tzinfo) == "Europe/Paris"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "closes_at = 2020-06-30T23:59:59", 'closes_at = "demain"',
            'ami.toml: waves[1].closes_at: expected an ISO date-time, got "demain"',
        ),
        (
            'tracks = ["numerique", "territoire"]\nreferences = [\n  { label = "Dispositif',
            'tracks = ["numerique", "rural"]\nreferences = [\n  { label = "Dispositif',
            "ami.toml: criteria[1].tracks[1]: unknown track 'rural'; expected one of ['numerique', 'territoire']",
        ),
        (
            "envelope_eur = 9000000", "envelope_eur = -5",
            "ami.toml: waves[1].envelope_eur: expected a number ≥ 0, got -5",
        ),
        (
            MONEY_TERRITOIRE, MONEY_TERRITOIRE.replace(
                "min_eur = 50000, max_eur = 150000, duration_years = 3, per_year_cap_eur = 50000",
                "min_eur = 200000, max_eur = 150000, duration_years = 3",
            ),
            "ami.toml: tracks[1].money: min_eur (200000) is above max_eur (150000)",
        ),
        (
            'id = "moyens"', 'id = "communaute"',
            "ami.toml: criteria[1].id: duplicate id 'communaute'",
        ),
        (
            'qpv_vintage = 2015', 'qpv_vintage = 2019',
            "ami.toml: qpv_vintage: expected 2015 or 2024, got 2019",
        ),
        (
            'max_distance_m = 500', 'max_distance_m = "loin"',
            "ami.toml: tracks[0].rules[1].max_distance_m: expected a whole number, got 'loin'",
        ),
        (
            'weight = 1\nthreshold = 1.5\ntracks = ["numerique", "territoire"]\nreferences = [\n  { label = "Ferdinand',
            'weight = 1\nthreshold = 7\ntracks = ["numerique", "territoire"]\nreferences = [\n  { label = "Ferdinand',
            "ami.toml: criteria[0]: threshold 7 is outside the scale 0–5",
        ),
        (
            'opens_at = 2019-07-11T09:00:00', 'opens_at = 2019-11-11T09:00:00',
            "ami.toml: waves[0]: closes_at must be after opens_at",
        ),
        (
            'short_title = "AMI Tiers-lieux 2019"', 'short_titel = "AMI Tiers-lieux 2019"',
            "ami.toml: short_titel: unknown key",
        ),
    ],
    ids=["bad-date", "unknown-track", "negative-amount", "min-above-max", "duplicate-criterion",
         "bad-vintage", "distance-not-a-number", "threshold-outside-scale", "wave-closes-before-opening",
         "misspelt-key"],
)
def test_a_broken_definition_names_the_key_and_what_was_expected(old, new, expected):
    with pytest.raises(DefinitionError) as caught:
        parse_definition(_broken(old, new), source="ami.toml")

    assert expected in str(caught.value).splitlines()


def test_a_file_that_is_not_toml_says_so_with_the_line():
    with pytest.raises(DefinitionError, match=re.escape("ami.toml: not valid TOML")) as caught:
        parse_definition('slug = "x"\ntitle = = 3\n', source="ami.toml")

    assert "line 2" in str(caught.value)


@pytest.mark.django_db
def test_a_broken_file_leaves_the_database_unchanged(call):
    before = (Call.objects.count(), Track.objects.count(), Criterion.objects.count(), Wave.objects.count())
    first_title = Criterion.objects.get(code="communaute").title
    broken = _broken("Communauté d’utilisateurs", "Communauté renommée").replace(
        "closes_at = 2020-06-30T23:59:59", 'closes_at = "demain"'
    )

    with pytest.raises(DefinitionError):
        call_load(text=broken, source="ami.toml")

    assert (Call.objects.count(), Track.objects.count(), Criterion.objects.count(), Wave.objects.count()) == before
    assert Criterion.objects.get(code="communaute").title == first_title


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing(call):
    ids = sorted(Criterion.objects.values_list("id", flat=True))
    loaded_at = Call.objects.get().loaded_at

    result = call_load(text=GOOD, source="ami-tiers-lieux-2019.toml")

    assert result.changed is False
    assert sorted(Criterion.objects.values_list("id", flat=True)) == ids
    assert Call.objects.get().loaded_at == loaded_at


@pytest.mark.django_db
def test_a_changed_file_updates_in_place_and_keeps_ids(call):
    criterion_id = Criterion.objects.get(code="gouvernance").id

    result = call_load(text=GOOD.replace('title = "Gouvernance"', 'title = "Gouvernance partagée"'), source="x.toml")

    assert result.changed is True
    assert Criterion.objects.get(code="gouvernance").id == criterion_id
    assert Criterion.objects.get(code="gouvernance").title == "Gouvernance partagée"
    assert Criterion.objects.count() == 12
