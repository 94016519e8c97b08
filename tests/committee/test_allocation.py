"""Allocation of laureates on small waves whose best answer is worked out by hand."""

import json

import pytest

from fabriques.committee.allocation import (
    Candidate,
    Pin,
    PinKind,
    Scenario,
    Target,
    TargetKind,
    allocate,
    amount_errors,
    by_rank,
)


def cand(ident, score, amount=10, *, track="territoire", region="11", **flags):
    return Candidate(ident, score, amount, track, region, **flags)


def test_binding_envelope_prefers_two_good_dossiers_to_the_single_best():
    candidates = [cand("A", 9, 100), cand("B", 8, 60), cand("C", 7, 50)]

    result = allocate(candidates=candidates, scenario=Scenario(envelope=110))

    assert (result.status, result.chosen, result.objective, result.budget_used) == ("optimal", ("B", "C"), 15.0, 110)
    assert result.amounts == {"B": 60, "C": 50}
    # the plain list funds A, then B does not fit in the 10 € left: it stops there
    assert (result.baseline.chosen, result.baseline.objective, result.baseline.budget_used) == (("A",), 9.0, 100)


def test_rural_minimum_changes_the_choice_and_its_price_is_the_score_given_up():
    candidates = [cand("A", 9), cand("B", 8), cand("C", 5, is_rural=True)]
    target = Target(TargetKind.MIN_RURAL, 1)

    result = allocate(candidates=candidates, scenario=Scenario(envelope=20, targets=(target,)))

    assert (result.chosen, result.objective) == (("A", "C"), 14.0)
    [status] = result.targets
    assert (status.key, status.required, status.achieved, status.met, status.price) == ("min_rural", 1, 1, True, 3.0)
    assert status.label == "Au moins 1 lauréat hors des grands pôles urbains"
    assert [(t.achieved, t.met) for t in result.baseline.targets] == [(0, False)]


def test_qpv_minimum_and_track_bounds_are_held():
    candidates = [
        cand("A", 9), cand("B", 8), cand("Q", 4, is_qpv=True),
        cand("N1", 6, track="numerique"), cand("N2", 5, track="numerique"),
    ]
    targets = (
        Target(TargetKind.MIN_QPV, 1),
        Target(TargetKind.TRACK_MIN, 1, track="numerique"),
        Target(TargetKind.TRACK_MAX, 1, track="territoire", label="Une seule Fabrique de territoire"),
    )

    result = allocate(candidates=candidates, scenario=Scenario(envelope=30, targets=targets))

    # one territoire dossier at most, and it must be the QPV one; the two numerique fill the rest
    assert (result.chosen, result.objective) == (("Q", "N1", "N2"), 15.0)
    # prices: without min_qpv, A + N1 + N2 = 20 (20 − 15 = 5); without track_min nothing changes (0);
    # without the territoire cap, Q is still needed and one numerique too: Q + A + N1 = 19 (4)
    assert [(t.key, t.achieved, t.met, t.price) for t in result.targets] == [
        ("min_qpv", 1, True, 5.0),
        ("track_min:numerique", 2, True, 0.0),
        ("track_max:territoire", 1, True, 4.0),
    ]
    assert result.targets[2].label == "Une seule Fabrique de territoire"


def test_region_minimum_and_maximum():
    candidates = [
        cand("a", 9, region="11"), cand("b", 8, region="11"), cand("c", 7, region="11"),
        cand("d", 3, region="24"), cand("e", 50, region="93", eligible=False),
    ]
    cap = Target(TargetKind.REGION_MAX, 2, region="11")
    floor = Target(TargetKind.REGION_MIN, 1, region="24")
    every = Target(TargetKind.EVERY_REGION_MIN, 1)

    uncapped = allocate(candidates=candidates, scenario=Scenario(envelope=30))
    capped = allocate(candidates=candidates, scenario=Scenario(envelope=30, targets=(cap,)))
    floored = allocate(candidates=candidates, scenario=Scenario(envelope=30, targets=(floor,)))
    everywhere = allocate(candidates=candidates, scenario=Scenario(envelope=30, targets=(every,)))

    assert uncapped.chosen == ("a", "b", "c")
    assert capped.chosen == floored.chosen == everywhere.chosen == ("a", "b", "d")
    assert capped.targets[0].price == floored.targets[0].price == 4.0
    # région 93 has no eligible candidate: "every région" only asks for the two others
    assert (everywhere.status, everywhere.targets[0].achieved, everywhere.targets[0].met) == ("optimal", 1, True)


def test_pins_force_a_dossier_in_or_out():
    candidates = [cand("A", 9), cand("B", 8), cand("C", 1)]
    keep_c = {"C": Pin(PinKind.FORCE_IN, "seul lieu du département")}
    drop_a = {"A": Pin(PinKind.FORCE_OUT, "conflit d’intérêts")}

    assert allocate(candidates=candidates, scenario=Scenario(envelope=20, pins=keep_c)).chosen == ("A", "C")
    assert allocate(candidates=candidates, scenario=Scenario(envelope=20, pins=drop_a)).chosen == ("B", "C")
    pinned_on_candidate = [cand("A", 9, pin=drop_a["A"]), cand("B", 8), cand("C", 1)]
    assert allocate(candidates=pinned_on_candidate, scenario=Scenario(envelope=20)).chosen == ("B", "C")
    with pytest.raises(ValueError, match="written reason"):
        Pin(PinKind.FORCE_IN, "  ")


def test_dossier_under_a_threshold_is_never_funded_even_when_money_is_left():
    candidates = [cand("A", 9), cand("X", 99, eligible=False)]

    result = allocate(candidates=candidates, scenario=Scenario(envelope=100))

    assert result.chosen == ("A",)
    assert result.baseline.chosen == ("A",)


def test_amount_overrides_are_used_in_the_solve():
    candidates = [cand("A", 9, 100), cand("B", 8, 60), cand("C", 7, 50)]

    result = allocate(candidates=candidates, scenario=Scenario(envelope=110, amount_overrides={"A": 55}))

    assert (result.chosen, result.budget_used, result.amounts) == (("A", "C"), 105, {"A": 55, "C": 50})


def test_conflicting_targets_are_named_and_nothing_is_chosen():
    candidates = [cand("A", 9), cand("R", 5, is_rural=True), cand("Q", 4, is_qpv=True)]
    targets = (
        Target(TargetKind.MIN_RURAL, 1),
        Target(TargetKind.MIN_QPV, 1),
        Target(TargetKind.MAX_LAUREATES, 1),
        Target(TargetKind.TRACK_MIN, 1, track="territoire"),
    )

    result = allocate(candidates=candidates, scenario=Scenario(envelope=1000, targets=targets))

    assert (result.status, result.chosen, result.objective, result.budget_used) == ("infeasible", (), 0.0, 0)
    assert result.conflicts == (
        "Au plus 1 lauréat",
        "Au moins 1 lauréat en QPV",
        "Au moins 1 lauréat hors des grands pôles urbains",
    )
    assert result.message == (
        "Ces objectifs ne peuvent pas être tenus ensemble : « Au plus 1 lauréat », « Au moins 1 lauréat en QPV », "
        "« Au moins 1 lauréat hors des grands pôles urbains ». Aucun lauréat n’est retenu ; assouplissez l’un d’eux."
    )
    assert result.baseline.chosen == ("A", "R", "Q")


def test_pins_beyond_the_envelope_are_reported_with_the_envelope():
    candidates = [cand("A", 9, 60), cand("B", 8, 60), cand("C", 7, 10)]
    pins = {"A": Pin(PinKind.FORCE_IN, "priorité"), "B": Pin(PinKind.FORCE_IN, "urgence"),
            "C": Pin(PinKind.FORCE_OUT, "doublon")}

    result = allocate(candidates=candidates, scenario=Scenario(envelope=100, pins=pins))

    assert result.status == "infeasible"
    assert result.conflicts == (
        "Enveloppe de 100\u00a0€",
        "Dossier A épinglé « retenu » (priorité)",
        "Dossier B épinglé « retenu » (urgence)",
    )


def test_region_minimum_with_its_only_candidate_pinned_out_is_a_conflict():
    candidates = [cand("a", 9, region="11"), cand("d", 3, region="24")]
    pins = {"d": Pin(PinKind.FORCE_OUT, "projet abandonné")}
    every = (Target(TargetKind.EVERY_REGION_MIN, 1),)

    result = allocate(candidates=candidates, scenario=Scenario(envelope=100, pins=pins, targets=every))

    assert result.conflicts == (
        "Au moins 1 lauréat dans chaque région candidate",
        "Dossier d épinglé « écarté » (projet abandonné)",
    )


def test_pinning_in_a_dossier_under_a_threshold_is_refused():
    candidates = [cand("A", 9), cand("X", 8, eligible=False, pin=Pin(PinKind.FORCE_IN, "avis du préfet"),
                                     name="TL-2019-0042")]

    result = allocate(candidates=candidates, scenario=Scenario(envelope=100))

    assert (result.status, result.chosen) == ("infeasible", ())
    assert result.message == (
        "Un dossier sous un seuil ne peut pas être financé : Dossier TL-2019-0042 épinglé « retenu » (avis du préfet). "
        "Aucun lauréat n’est retenu."
    )


def test_by_rank_stops_at_the_first_dossier_the_money_cannot_cover():
    candidates = [cand("A", 9, 50), cand("B", 8, 60), cand("C", 7, 10), cand("X", 10, 10, eligible=False)]
    scenario = Scenario(envelope=100, targets=(Target(TargetKind.MAX_LAUREATES, 1),))

    baseline = by_rank(candidates, scenario)

    assert (baseline.chosen, baseline.objective, baseline.budget_used) == (("A",), 9.0, 50)
    assert [(t.achieved, t.met) for t in baseline.targets] == [(1, True)]


def test_result_and_scenario_are_json_ready():
    candidates = [cand(1, 9), cand(2, 8, is_rural=True)]
    scenario = Scenario(
        envelope=20, name="équilibre rural", targets=(Target(TargetKind.MIN_RURAL, 1),),
        pins={2: Pin(PinKind.FORCE_IN, "motif")}, amount_overrides={1: 5},
    )

    result = json.loads(json.dumps(allocate(candidates=candidates, scenario=scenario).as_dict()))
    saved = json.loads(json.dumps(scenario.as_dict()))

    assert result["chosen"] == [1, 2]
    assert result["amounts"] == [{"id": 1, "amount": 5}, {"id": 2, "amount": 10}]
    assert result["scenario"] == "équilibre rural"
    assert result["baseline"]["objective"] == 17.0
    assert saved["pins"] == [{"id": 2, "kind": "force_in", "reason": "motif"}]
    assert saved["targets"] == [{"kind": "min_rural", "value": 1, "track": "", "region": "", "label": ""}]
    assert Scenario.from_dict(saved) == scenario


def test_default_target_labels_read_as_french():
    assert Target(TargetKind.MIN_QPV, 150).text == "Au moins 150 lauréats en QPV"
    assert Target(TargetKind.TRACK_MIN, 30, track="numerique").text == "Au moins 30 lauréats de l’entrée numerique"
    assert Target(TargetKind.REGION_MAX, 1, region="84").text == "Au plus 1 lauréat dans la région 84"


def test_bad_scenarios_are_refused():
    with pytest.raises(ValueError, match="same target twice"):
        Scenario(envelope=10, targets=(Target(TargetKind.MIN_QPV, 1), Target(TargetKind.MIN_QPV, 2)))
    with pytest.raises(ValueError, match="needs a track"):
        Target(TargetKind.TRACK_MIN, 1)
    with pytest.raises(ValueError, match="unknown candidates"):
        allocate(candidates=[cand("A", 1)], scenario=Scenario(envelope=10, pins={"Z": Pin(PinKind.FORCE_IN, "x")}))


def test_adjusted_amounts_outside_the_track_bounds_get_a_french_error():
    candidates = [cand("A", 9, 50_000), cand("B", 8, 60_000, track="numerique")]
    bounds = {"territoire": (50_000, 150_000), "numerique": (50_000, 300_000)}

    errors = amount_errors(
        candidates=candidates, amount_overrides={"A": 40_000, "B": 300_000, "Z": 1}, track_bounds=bounds
    )

    assert errors == {
        "A": "Le montant doit être compris entre 50\u202f000\u00a0€ et 150\u202f000\u00a0€.",
        "Z": "Ce dossier ne fait pas partie des candidats.",
    }
