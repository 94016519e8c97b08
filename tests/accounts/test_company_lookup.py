"""Company lookup against a local server answering in « Recherche d'entreprises »'s format: client, cache,
timeout, the organisation form (search, prefill, save) and the checklist's legal-form line."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from fabriques.accounts.company_lookup import (
    CompanyLookupError,
    company_by_siret,
    company_search,
    legal_form_for_category,
)
from fabriques.accounts.models import Organisation
from fabriques.instruction.admissibility import checklist_refresh
from fabriques.instruction.enums import CheckItem
from tests.accounts.company_directory import ASSOCIATION_SIRET, CLOSED_SIRET, Directory
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.factories import make_commune

pytestmark = pytest.mark.django_db
applicant, dossier, organisation, track = (  # the dossier fixtures, used here
    dossier_fixtures.applicant, dossier_fixtures.dossier, dossier_fixtures.organisation, dossier_fixtures.track)


@pytest.fixture
def directory(settings):
    cache.clear()
    server = Directory()
    settings.FABRIQUES_COMPANY_LOOKUP_URL = server.url
    settings.FABRIQUES_COMPANY_LOOKUP_TIMEOUT = 0.5
    yield server
    server.stop()
    cache.clear()


def test_a_siret_gives_the_establishment_with_our_legal_form(directory):
    company = company_by_siret(ASSOCIATION_SIRET)
    assert (company.name, company.siren, company.siret) == ("ASSOCIATION LES PENTES", "732829320", ASSOCIATION_SIRET)
    assert (company.legal_category, company.legal_form, company.rna) == ("9220", "association", "W691234567")
    assert (company.address, company.postcode, company.commune_code, company.naf) == (
        "1 PLACE SATHONAY", "69001", "69123", "94.99Z")
    assert company.active is True
    assert company.is_association is True
    assert directory.requests == [{"path": "/search", "q": ASSOCIATION_SIRET, "page": "1", "per_page": "5"}]


def test_spaces_in_a_siret_are_removed_and_a_name_searches_too(directory):
    assert [c.siret for c in company_search("732 829 320 00074")] == [ASSOCIATION_SIRET]
    assert [c.name for c in company_search("fabrique")] == ["ANCIENNE FABRIQUE SARL"]
    assert company_search("ab") == []  # too short: no request
    assert len(directory.requests) == 2


def test_a_closed_company_is_not_active(directory):
    company = company_by_siret(CLOSED_SIRET)
    assert (company.active, company.legal_form) == (False, "entreprise-privee")


def test_answers_are_cached(directory):
    company_search(ASSOCIATION_SIRET)
    company_search(ASSOCIATION_SIRET)
    assert len(directory.requests) == 1


def test_a_slow_directory_raises_a_clear_error_within_the_timeout(directory, settings):
    settings.FABRIQUES_COMPANY_LOOKUP_TIMEOUT = 0.2
    directory.slow(1.0)
    with pytest.raises(CompanyLookupError, match="annuaire des entreprises indisponible"):
        company_search(ASSOCIATION_SIRET)


def test_an_error_status_or_an_unreachable_directory_raise(directory, settings):
    directory.fail(503)
    with pytest.raises(CompanyLookupError):
        company_search("pentes")
    settings.FABRIQUES_COMPANY_LOOKUP_URL = "http://127.0.0.1:9"
    with pytest.raises(CompanyLookupError):
        company_search("autre")


@pytest.mark.parametrize(("category", "form"), [
    ("9220", "association"), ("9230", "association"), ("9300", "fondation"), ("5710", "entreprise-privee"),
    ("5458", "scic-scop"), ("7210", "collectivite"), ("7355", "syndicat-mixte"), ("7470", "gip-gie"),
    ("4110", "entreprise-publique"), ("1000", None), ("7120", None), ("", None),
])
def test_legal_categories_map_to_the_call_legal_forms(category, form):
    assert legal_form_for_category(category) == form


# --- The organisation form ---------------------------------------------------------------------------------------


def test_without_the_setting_the_form_has_no_search(client, applicant, call, settings):
    settings.FABRIQUES_COMPANY_LOOKUP_URL = ""
    client.force_login(applicant)
    page = client.get(reverse("dossiers:organisation-create") + "?q=pentes").content.decode()
    assert "annuaire des entreprises" not in page
    assert 'name="name"' in page


def test_a_search_lists_the_matches_and_htmx_gets_only_the_results(client, applicant, call, directory):
    client.force_login(applicant)
    url = reverse("dossiers:organisation-create")
    page = client.get(url, {"q": "pentes", "suite": "dossier"}).content.decode()
    assert "ASSOCIATION LES PENTES" in page
    assert f'value="{ASSOCIATION_SIRET}"' in page
    assert '<input type="hidden" name="suite" value="dossier">' in page
    fragment = client.get(url, {"q": "fabrique"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="company-results"')
    assert "ANCIENNE FABRIQUE SARL" in fragment
    assert "fermé" in fragment


def test_choosing_a_result_fills_the_form(client, applicant, call, directory):
    make_commune(code="69123", name="Lyon")
    client.force_login(applicant)
    response = client.get(reverse("dossiers:organisation-create"), {"siret": ASSOCIATION_SIRET})
    form = response.context["form"]
    assert form["name"].value() == "ASSOCIATION LES PENTES"
    assert form["legal_form"].value() == "association"
    assert form["address"].value() == "1 PLACE SATHONAY"
    assert form["commune"].value() == "69123 Lyon (69)"
    assert "RNA W691234567" in response.content.decode()


def test_saving_keeps_the_directory_facts(client, applicant, call, directory):
    place = make_commune(code="69123", name="Lyon")
    client.force_login(applicant)
    response = client.post(reverse("dossiers:organisation-create"), {
        "name": "Association Les Pentes", "legal_form": "association", "siret": "732 829 320 00074",
        "address": "1 place Sathonay", "commune": f"{place.code} Lyon"})
    assert response.status_code == 302
    saved = Organisation.objects.get()
    assert (saved.legal_category, saved.naf, saved.rna, saved.registry_active) == ("9220", "94.99Z", "W691234567", True)
    assert saved.registry_checked_at is not None


def test_when_the_directory_is_down_the_form_says_so_and_saves_by_hand(client, applicant, call, directory):
    place = make_commune(code="69123", name="Lyon")
    directory.fail(503)
    client.force_login(applicant)
    url = reverse("dossiers:organisation-create")
    page = client.get(url, {"q": "pentes"}).content.decode()
    assert "ne répond pas pour le moment : saisissez les informations" in page
    response = client.post(url, {"name": "Les Pentes", "legal_form": "association", "siret": ASSOCIATION_SIRET,
                                 "address": "1 place Sathonay", "commune": f"{place.code} Lyon"}, follow=True)
    assert "n’a pas répondu : l’organisation est enregistrée telle que saisie" in response.content.decode()
    saved = Organisation.objects.get()
    assert (saved.legal_category, saved.registry_checked_at) == ("", None)


def test_the_checklist_legal_form_line_follows_the_directory(dossier, organisation, directory):
    checks = {c.item: c for c in checklist_refresh(dossier=dossier)}
    assert checks[CheckItem.LEGAL_FORM].detail == "Association : forme éligible."  # typed by hand: as before
    company = company_by_siret(ASSOCIATION_SIRET)
    from fabriques.dossiers.domain import organisation_save

    organisation_save(by=dossier.owner, organisation=organisation, name=organisation.name,
                      legal_form="fondation", siret=organisation.siret, address=organisation.address,
                      commune=organisation.commune, registry=company)
    dossier.organisation.refresh_from_db()
    line = {c.item: c for c in checklist_refresh(dossier=dossier)}[CheckItem.LEGAL_FORM]
    assert (line.status, line.detail) == (
        "ok", "Association selon l’annuaire des entreprises (Association déclarée) : forme éligible.")
    organisation.registry_active = False
    organisation.save()
    dossier.organisation.refresh_from_db()
    line = {c.item: c for c in checklist_refresh(dossier=dossier)}[CheckItem.LEGAL_FORM]
    assert (line.status, line.detail) == (
        "ko", "Selon l’annuaire des entreprises, cet établissement est fermé (Association déclarée).")
