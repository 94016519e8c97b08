"""Applicant pages: each section saves with or without JavaScript, bad input keeps what was typed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.dossiers import domain, queries
from fabriques.dossiers.models import Answer, Dossier, DossierVersion
from tests.dossiers.factories import VALID_SIRET, make_commune, small_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, applicant):
    client.force_login(applicant)
    return client


def test_organisation_form_refuses_a_bad_siret_next_to_the_field_and_keeps_the_rest(owner_client, call, commune):
    response = owner_client.post(reverse("dossiers:organisation-create"), {
        "name": "Les Pentes", "legal_form": "association", "siret": "732 829 320 00075",
        "address": "1 place Sathonay", "commune": "69123",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "sa clé de contrôle ne correspond pas" in html
    assert 'value="Les Pentes"' in html
    assert 'value="1 place Sathonay"' in html


def test_organisation_then_dossier_creation(owner_client, applicant, open_wave, call):
    make_commune()
    response = owner_client.post(reverse("dossiers:organisation-create") + "?suite=dossier", {
        "name": "Les Pentes", "legal_form": "association", "siret": VALID_SIRET,
        "address": "1 place Sathonay", "commune": "69123 Lyon (69)",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:create")
    organisation = applicant.memberships.get().organisation
    assert organisation.commune.code == "69123"
    track = call.tracks.get(slug="territoire")
    response = owner_client.post(reverse("dossiers:create"),
                                 {"wave": open_wave.pk, "track": track.pk, "organisation": organisation.pk})
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    assert dossier.track == track


def test_every_dossier_page_renders_for_the_owner(owner_client, complete_dossier):
    uuid = complete_dossier.uuid
    criterion = queries.criteria_for(complete_dossier)[0]
    for url in [
        reverse("dossiers:list"), reverse("accounts:dashboard"), reverse("dossiers:detail", args=[uuid]),
        reverse("dossiers:place", args=[uuid]), reverse("dossiers:answer", args=[uuid, criterion.code]),
        reverse("dossiers:budget", args=[uuid]), reverse("dossiers:attachments", args=[uuid]),
        reverse("dossiers:cowriters", args=[uuid]), reverse("dossiers:selfcheck", args=[uuid]),
        reverse("dossiers:deposit", args=[uuid]),
    ]:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert complete_dossier.reference in response.content.decode(), url


def test_answer_page_shows_question_guidance_references_and_max_length(owner_client, dossier):
    criterion = queries.criteria_for(dossier)[0]
    html = owner_client.get(reverse("dossiers:answer", args=[dossier.uuid, criterion.code])).content.decode()
    assert criterion.question in html
    assert "Ce que montre une réponse solide" in html
    assert "Ray Oldenburg, The Great Good Place" in html
    assert f"0 / {criterion.max_length} caractères" in html


def test_htmx_autosave_returns_the_status_and_the_new_version(owner_client, dossier):
    criterion = queries.criteria_for(dossier)[0]
    url = reverse("dossiers:answer", args=[dossier.uuid, criterion.code])
    response = owner_client.post(url, {"text": "Bonjour", "version": 0}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enregistré à" in html
    assert 'name="version" value="1" id="id_version" hx-swap-oob="true"' in html
    assert Answer.objects.get().text == "Bonjour"


def test_conflicting_plain_post_shows_both_versions_and_keeps_the_typed_text(owner_client, dossier, applicant,
                                                                            make_user):
    criterion = queries.criteria_for(dossier)[0]
    cowriter = make_user("co@example.org")  # another writer (the owner's own save of a moment ago is no conflict)
    domain.answer_save(dossier=dossier, criterion=criterion, text="Texte d’origine", base_version=0, by=applicant)
    domain.answer_save(dossier=dossier, criterion=criterion, text="Leur version", base_version=1, by=cowriter)
    url = reverse("dossiers:answer", args=[dossier.uuid, criterion.code])
    response = owner_client.post(url, {"text": "Ma version", "version": 1})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Conflit d’enregistrement" in html
    assert "Leur version" in html
    assert html.count("Ma version") >= 2  # in the comparison and still in the textarea
    assert "Garder ma version" in html
    assert Answer.objects.get().text == "Leur version"


def test_too_long_answer_is_refused_and_the_text_stays_in_the_textarea(owner_client, dossier):
    criterion = queries.criteria_for(dossier)[0]
    text = "é" * (criterion.max_length + 5)
    response = owner_client.post(reverse("dossiers:answer", args=[dossier.uuid, criterion.code]),
                                 {"text": text, "version": 0})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"pour {criterion.max_length} au plus" in html
    assert text in html
    assert not Answer.objects.exists()


def test_budget_page_says_by_how_much_it_does_not_balance(owner_client, dossier):
    data = {"version": 0, "y1_personnel": 100000, "y1_etat": 50000, "y1_propres": 40000}
    response = owner_client.post(reverse("dossiers:budget", args=[dossier.uuid]), data, follow=True)
    html = response.content.decode()
    expected = "Année 1 : les charges (100\u202f000\u00a0€) dépassent les ressources (90\u202f000\u00a0€) de 10"
    assert expected in html
    dossier.refresh_from_db()
    assert dossier.amount_requested_eur == 50000


def test_budget_negative_amount_is_refused_next_to_the_field(owner_client, dossier):
    response = owner_client.post(reverse("dossiers:budget", args=[dossier.uuid]),
                                 {"version": 0, "y1_personnel": -5, "y1_etat": 1234})
    assert response.status_code == 400
    html = response.content.decode()
    assert "supérieure ou égale à 0" in html
    assert 'value="1234"' in html
    assert not dossier.budget_lines.exists()


def test_upload_of_an_exe_renamed_pdf_is_refused_in_french(owner_client, dossier, media_root):
    exe = SimpleUploadedFile("statuts.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = owner_client.post(reverse("dossiers:attachments", args=[dossier.uuid]),
                                 {"code": "statuts", "file": exe})
    assert response.status_code == 400
    assert "ne correspond pas à un format accepté (PDF)" in response.content.decode()
    assert not dossier.attachments.exists()


def test_upload_and_download_of_a_pdf(owner_client, dossier, media_root):
    content = small_pdf("statuts")
    owner_client.post(reverse("dossiers:attachments", args=[dossier.uuid]),
                      {"code": "statuts", "file": SimpleUploadedFile("Statuts signés.pdf", content)})
    attachment = dossier.attachments.get()
    response = owner_client.get(reverse("dossiers:attachment-download", args=[dossier.uuid, attachment.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "Statuts%20sign%C3%A9s.pdf" in response["Content-Disposition"]


def test_deposit_page_deposits_once_even_when_the_form_is_posted_twice(owner_client, complete_dossier):
    url = reverse("dossiers:deposit", args=[complete_dossier.uuid])
    key = owner_client.get(url).context["form"]["submission_key"].value()
    first = owner_client.post(url, {"submission_key": key})
    second = owner_client.post(url, {"submission_key": key})
    assert first.status_code == second.status_code == 302
    assert DossierVersion.objects.filter(dossier=complete_dossier).count() == 1
    proof = owner_client.get(reverse("dossiers:proof", args=[complete_dossier.uuid, 1]))
    assert proof.status_code == 200
    assert proof["Content-Type"] == "application/pdf"
    assert proof.content.startswith(b"%PDF-")


def test_selfcheck_shows_completeness_chart_table_and_weakest_guidance(owner_client, dossier):
    criteria = queries.criteria_for(dossier)
    data = {f"c{c.pk}": 3 for c in criteria}
    data[f"c{criteria[4].pk}"] = 0
    owner_client.post(reverse("dossiers:selfcheck", args=[dossier.uuid]), data)
    html = owner_client.get(reverse("dossiers:selfcheck", args=[dossier.uuid])).content.decode()
    assert "<svg" in html
    assert "Maturité par critère" in html
    assert "Vos trois critères les plus fragiles" in html
    assert criteria[4].guidance.strip()[:60] in html
    assert "Le budget n’est pas renseigné." in html
    assert dossier.self_assessments.get(criterion=criteria[4]).maturity == 0


def test_my_dossiers_runs_a_constant_number_of_queries(owner_client, applicant, organisation, open_wave, track):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(reverse("dossiers:list")).status_code == 200
        return len(ctx.captured_queries)

    domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    one = count()
    for _ in range(5):
        domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    assert count() == one


def test_dashboard_block_runs_a_constant_number_of_queries(owner_client, applicant, organisation, open_wave, track):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert owner_client.get(reverse("accounts:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    one = count()
    for _ in range(4):
        domain.dossier_create(wave=open_wave, track=track, organisation=organisation, by=applicant)
    assert count() == one


def test_deposit_after_the_deadline_shows_the_exact_closing_time_and_nothing_changes(owner_client, complete_dossier):
    import datetime as dt

    from django.utils import timezone

    url = reverse("dossiers:deposit", args=[complete_dossier.uuid])
    key = owner_client.get(url).context["form"]["submission_key"].value()
    wave = complete_dossier.wave
    wave.closes_at = timezone.now() - dt.timedelta(seconds=1)
    wave.save()
    response = owner_client.post(url, {"submission_key": key})
    closes = timezone.localtime(wave.closes_at)
    assert response.status_code == 409
    assert (f"Le dépôt est clos : la vague a été clôturée le {closes:%d/%m/%Y} à {closes:%H:%M:%S} "
            "(heure de Paris).") in response.content.decode()
    complete_dossier.refresh_from_db()
    assert complete_dossier.state == "draft"
    assert not DossierVersion.objects.exists()


def test_incomplete_deposit_page_lists_what_is_missing_without_a_deposit_button(owner_client, dossier):
    html = owner_client.get(reverse("dossiers:deposit", args=[dossier.uuid])).content.decode()
    assert "À compléter avant le dépôt" in html
    assert "La réponse est vide." in html
    assert "Déposer le dossier</button>" not in html


def test_organisation_update_keeps_one_owner_and_changes_the_fields(owner_client, organisation, commune):
    url = reverse("dossiers:organisation-edit", args=[organisation.pk])
    response = owner_client.post(url, {"name": "Les Pentes (nouveau nom)", "legal_form": "scic-scop",
                                       "siret": organisation.siret, "address": "2 rue Neuve", "commune": "69123"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.legal_form, organisation.address) == (
        "Les Pentes (nouveau nom)", "scic-scop", "2 rue Neuve")
    assert organisation.members.count() == 1


def test_unknown_commune_is_refused_next_to_the_field(owner_client, dossier):
    response = owner_client.post(reverse("dossiers:place", args=[dossier.uuid]),
                                 {"version": 0, "name": "Lieu", "commune": "99999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Commune introuvable" in html
    assert 'value="Lieu"' in html
    dossier.refresh_from_db()
    assert dossier.place_name == ""


def test_owner_withdraws_from_the_dossier_page(owner_client, dossier):
    response = owner_client.post(reverse("dossiers:withdraw", args=[dossier.uuid]), {"reason": "Projet reporté"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "withdrawn"
    html = owner_client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Vous avez retiré ce dossier." in html
    assert "Retirer ce dossier" not in html


def test_after_the_deadline_the_sections_are_read_only_without_autosave(owner_client, deposited_dossier):
    import datetime as dt

    from django.utils import timezone

    wave = deposited_dossier.wave
    wave.closes_at = timezone.now() - dt.timedelta(seconds=1)
    wave.save()
    criterion = queries.criteria_for(deposited_dossier)[0]
    html = owner_client.get(reverse("dossiers:answer", args=[deposited_dossier.uuid, criterion.code])).content.decode()
    assert "Ce dossier est en lecture seule : la vague a été clôturée le" in html
    assert "hx-post" not in html
    assert "<fieldset class=\"fr-fieldset\" disabled>" in html
