"""The `[followup]` table of a call definition: loaded by load-call, validated with named keys."""

import pytest

from fabriques.calls.definition import DefinitionError, parse_definition
from fabriques.calls.domain import DEFINITIONS_DIR

TEXT = (DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").read_text(encoding="utf-8")


def _problems(text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, source="ami.toml")
    return caught.value.problems


def test_the_2019_call_describes_three_equal_tranches_three_reports_and_its_indicators():
    followup = parse_definition(TEXT, source="ami.toml").followup

    assert [t.release for t in followup.tranches] == ["signature", "report", "report"]
    assert [t.after_report_year for t in followup.tranches] == [None, 1, 2]
    assert [r.year for r in followup.reports] == [1, 2, 3]
    assert {i.kind for i in followup.indicators} == {"integer", "decimal", "money", "choice", "text"}


def test_a_tranche_after_a_report_that_does_not_exist_is_named():
    assert _problems(TEXT.replace("after_report_year = 2", "after_report_year = 7")) == [
        "followup.tranches[2].after_report_year: no report for year 7; expected one of [1, 2, 3]"]


def test_an_unknown_indicator_kind_is_named():
    assert _problems(TEXT.replace('kind = "choice"', 'kind = "choix"')) == [
        "followup.indicators[8].kind: expected one of ['integer', 'decimal', 'money', 'choice', 'text'], got 'choix'"]


def test_shares_that_do_not_add_up_are_refused():
    text = TEXT.replace('number = 1\nrelease', 'number = 1\nshare_percent = 50\nrelease').replace(
        'number = 2\nrelease', 'number = 2\nshare_percent = 30\nrelease').replace(
        'number = 3\nrelease', 'number = 3\nshare_percent = 30\nrelease')
    assert _problems(text) == ["followup.tranches: share_percent must add up to 100, got 110"]


def test_an_indicator_on_an_unknown_track_and_a_report_release_without_year_are_named():
    text = TEXT.replace('tracks = ["numerique"]\n\n[[followup.indicators]]\ncode = "personnes-formees"',
                        'tracks = ["rural"]\n\n[[followup.indicators]]\ncode = "personnes-formees"')
    text = text.replace("release = \"report\"\nafter_report_year = 1", "release = \"report\"")
    assert _problems(text) == ['followup.tranches[1].after_report_year: required when release = "report"']
    text = TEXT.replace('tracks = ["numerique"]\n\n[[followup.indicators]]\ncode = "personnes-formees"',
                        'tracks = ["rural"]\n\n[[followup.indicators]]\ncode = "personnes-formees"')
    assert _problems(text) == [
        "followup.indicators[1].tracks[0]: unknown track 'rural'; expected one of ['numerique', 'territoire']"]


def test_load_call_writes_the_settings_and_the_indicators(call):
    settings = call.followup_settings

    assert settings.reminder_days_before == [30, 7]
    assert [t["release"] for t in settings.tranches] == ["signature", "report", "report"]
    assert list(call.indicators.filter(tracks__slug="numerique").values_list("code", flat=True)) == [
        "personnes-accueillies", "heures-mediation", "personnes-formees", "evenements", "emplois-etp",
        "part-ressources-propres", "chiffre-affaires", "gouvernance", "faits-marquants"]


def test_an_indicator_that_reports_use_cannot_be_removed(agreement_in_force, applicant):
    from fabriques.calls.domain import call_load
    from fabriques.followup import reporting

    report = agreement_in_force.reports.get(year=1)
    reporting.report_save(report=report, by=applicant, base_version=0, values={"evenements": "3"}, spending={},
                          narrative="")
    block = '[[followup.indicators]]\ncode = "evenements"'
    start = TEXT.index(block)
    text = TEXT[:start] + TEXT[TEXT.index("[[followup.indicators]]", start + 10):]
    with pytest.raises(DefinitionError) as caught:
        call_load(text=text, source="ami.toml")
    assert caught.value.problems == ["followup.indicators: cannot remove evenements: reports already use them"]
    assert agreement_in_force.call.indicators.filter(code="evenements").exists()
