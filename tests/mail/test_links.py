"""Links in e-mails: the configured address in production; in development, the address actually in use."""

from django.urls import reverse

from fabriques.mail.domain import email_queue
from fabriques.mail.links import DEV_SITE_URL_ENV
from fabriques.mail.models import OutgoingEmail
from fabriques.operations.management.commands.serve import dev_site_url

CONFIGURED = "https://fabriques.example.gouv.fr"


def _withdraw_email(client, dossier, applicant, **extra):
    client.force_login(applicant)
    response = client.post(reverse("dossiers:withdraw", args=[dossier.uuid]), {"reason": "Projet abandonné"}, **extra)
    assert response.status_code == 302
    return OutgoingEmail.objects.filter(subject__contains="Dossier retiré").get()


def test_in_production_links_use_the_configured_address_whatever_the_request_host(
        client, settings, deposited_dossier, applicant):
    settings.DEBUG, settings.SITE_URL = False, CONFIGURED

    email = _withdraw_email(client, deposited_dossier, applicant, HTTP_HOST="127.0.0.1:8765")

    assert f"{CONFIGURED}/dossiers/{deposited_dossier.uuid}/" in email.body
    assert "127.0.0.1:8765" not in email.body


def test_in_development_links_follow_the_host_of_the_request_that_queued_the_email(
        client, settings, deposited_dossier, applicant):
    settings.DEBUG, settings.SITE_URL = True, CONFIGURED

    email = _withdraw_email(client, deposited_dossier, applicant, HTTP_HOST="127.0.0.1:8765")

    assert f"http://127.0.0.1:8765/dossiers/{deposited_dossier.uuid}/" in email.body
    assert CONFIGURED not in email.body


def test_in_development_a_host_outside_allowed_hosts_is_not_used(client, settings, deposited_dossier, applicant):
    settings.DEBUG, settings.SITE_URL = True, CONFIGURED
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]

    email = _withdraw_email(client, deposited_dossier, applicant)  # host "testserver": allowed, so used
    assert "http://testserver/dossiers/" in email.body

    OutgoingEmail.objects.all().delete()
    client.force_login(applicant)
    response = client.get("/", HTTP_HOST="evil.example")  # a refused host (400) leaves no origin behind
    assert response.status_code == 400
    row = email_queue(to=["a@example.org"], subject="Essai", body=f"Lien : {CONFIGURED}/espace/")
    assert row.body == f"Lien : {CONFIGURED}/espace/"


def test_in_development_the_worker_uses_the_address_serve_was_started_on(settings, db, monkeypatch):
    settings.DEBUG, settings.SITE_URL = True, CONFIGURED
    monkeypatch.setenv(DEV_SITE_URL_ENV, dev_site_url("0.0.0.0:8123"))

    row = email_queue(to=["a@example.org"], subject="Rappel", body=f"Ouvrir : {CONFIGURED}/instruction/")

    assert row.body == "Ouvrir : http://127.0.0.1:8123/instruction/"


def test_in_production_the_worker_ignores_the_development_address(settings, db, monkeypatch):
    settings.DEBUG, settings.SITE_URL = False, CONFIGURED
    monkeypatch.setenv(DEV_SITE_URL_ENV, "http://127.0.0.1:8123")

    row = email_queue(to=["a@example.org"], subject="Rappel", body=f"Ouvrir : {CONFIGURED}/instruction/")

    assert row.body == f"Ouvrir : {CONFIGURED}/instruction/"


def test_serve_reads_runservers_address_forms():
    assert dev_site_url("8001") == "http://127.0.0.1:8001"
    assert dev_site_url("localhost:8002") == "http://localhost:8002"
    assert dev_site_url("0.0.0.0:8003") == "http://127.0.0.1:8003"
    assert dev_site_url("[::1]:8004") == "http://[::1]:8004"
