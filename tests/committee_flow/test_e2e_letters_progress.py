"""In Chromium, a programme admin sends every decision letter at once; while the mail server does not answer, the
outbox page says « 0 / N envoyées » and keeps asking (htmx, every 2 s); once the worker has sent them, it reads
« N / N envoyées » without a reload. Axe on the page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fabriques.committee import domain
from fabriques.committee.models import OutboxMessage
from fabriques.mail.domain import emails_send_due
from tests.browser import log_in
from tests.committee_flow.test_committee import _relaxed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sending_all_letters_shows_its_progress_live(live_server, page, evaluated_wave, people, settings, screenshot,
                                                     axe_check):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="Envoi", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    domain.decisions_stage(scenario=scenario, by=people["committee"])
    domain.decisions_apply(wave=evaluated_wave, by=people["admin"])
    total = OutboxMessage.objects.filter(dossier__wave=evaluated_wave).count()
    # A mail server that refuses connections (nothing listens on the discard port): the letters wait in the outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server.url, people["admin"].email)

    page.goto(f"{live_server.url}/comite/{evaluated_wave.call.slug}/{evaluated_wave.slug}/courriers/")
    page.get_by_role("button", name=f"Envoyer les {total} courriers en brouillon").click()
    status = page.locator("#letters-progress")
    expect(status).to_contain_text(f"0 / {total} envoyée")
    expect(status).to_contain_text(f"{total} en cours d’envoi")
    screenshot("letters-waiting")
    axe_check("outbox while letters wait")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    emails_send_due(now=timezone.now() + dt.timedelta(minutes=6))  # the worker, once the retry is due

    expect(status).to_contain_text(f"{total} / {total} envoyées", timeout=10_000)  # fetched again by htmx
    expect(status).not_to_contain_text("en cours d’envoi")
    screenshot("letters-sent")
