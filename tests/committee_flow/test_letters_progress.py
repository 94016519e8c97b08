"""« Envoyer les courriers » queues every letter in the e-mail outbox; the outbox page shows « N / M envoyées »,
fetched again by htmx every 2 s while letters wait, and no longer polled once they have all left."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fabriques.committee import domain
from fabriques.committee.letters_progress import letters_progress
from fabriques.committee.models import OutboxMessage
from fabriques.mail.domain import emails_send_due
from tests.committee_flow.test_committee import _relaxed

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(evaluated_wave, people, django_capture_on_commit_callbacks):
    scenario = _relaxed(domain.scenario_create(wave=evaluated_wave, name="Envoi", by=people["committee"]), people)
    scenario.envelope_eur = 300000
    scenario.save()
    domain.scenario_solve(scenario=scenario, by=people["committee"])
    domain.decisions_stage(scenario=scenario, by=people["committee"])
    with django_capture_on_commit_callbacks(execute=True):
        domain.decisions_apply(wave=evaluated_wave, by=people["admin"])
    mail.outbox.clear()
    return evaluated_wave


def test_sending_all_letters_shows_live_progress_until_every_one_has_left(client, applied, people):
    total = OutboxMessage.objects.filter(dossier__wave=applied).count()
    client.force_login(people["admin"])
    base = f"/comite/{applied.call.slug}/{applied.slug}/courriers/"

    client.post(base, {"send_all": "1"})  # queued; the after-commit attempt does not run in this test transaction

    assert letters_progress(applied).queued == total
    fragment = client.get(base + "envoi/").content.decode()
    assert f"0 / {total} envoyée" in fragment
    assert f"{total} en cours d’envoi" in fragment
    assert f'hx-get="{base}envoi/"' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "letters-progress" in client.get(base).content.decode()

    emails_send_due(now=timezone.now() + dt.timedelta(minutes=6))  # the worker, once the rows' lease is over

    fragment = client.get(base + "envoi/").content.decode()
    assert f"{total} / {total} envoyées" in fragment
    assert "hx-get" not in fragment
    subjects = set(OutboxMessage.objects.filter(dossier__wave=applied).values_list("subject", flat=True))
    assert len([m for m in mail.outbox if m.subject in subjects]) == total


def test_the_progress_costs_one_query_and_is_for_programme_admins(client, applied, people):
    with CaptureQueriesContext(connection) as queries:
        letters_progress(applied)
    assert len(queries) == 1
    client.force_login(people["committee"])
    assert client.get(f"/comite/{applied.call.slug}/{applied.slug}/courriers/envoi/").status_code == 403


def test_the_progress_follows_each_letters_own_email_not_others_with_the_same_subject(client, applied, people):
    """A letter's e-mail is linked when « Envoyer » queues it: an e-mail of the same subject sent some other way (a
    copy forwarded by hand, a second programme) neither counts as the letter delivered nor hides its failure."""
    from fabriques.mail.domain import email_queue
    from fabriques.mail.enums import EmailState
    from fabriques.mail.models import OutgoingEmail

    letter = OutboxMessage.objects.filter(dossier__wave=applied).order_by("pk").first()
    email_queue(to=["copie@exemple.fr"], subject=letter.subject, body="Copie.")
    OutgoingEmail.objects.filter(subject=letter.subject).update(state=EmailState.SENT)
    assert letters_progress(applied).delivered == 0  # not sent yet: a look-alike e-mail is not the letter's

    domain.outbox_send(message=letter, by=people["admin"])
    letter.refresh_from_db()
    assert letter.email.subject == letter.subject
    assert letter.email.recipients == [letter.recipient]
    OutgoingEmail.objects.filter(pk=letter.email.pk).update(state=EmailState.FAILED)

    progress = letters_progress(applied)
    assert (progress.queued, progress.delivered, progress.failed) == (1, 0, 1)
