"""Programme admins are told when the job worker is stopped or late; everybody else is not bothered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.exports.enums import JobState
from fabriques.exports.models import ExportJob
from fabriques.exports.worker import worker_backlog
from fabriques.mail.domain import email_queue
from fabriques.mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _export_waiting(world, minutes):
    job = ExportJob.objects.create(requested_by=world.admin, wave=world.wave, format="csv", state=JobState.QUEUED)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=minutes))
    return job


def test_nothing_overdue_means_no_banner(client, world):
    _export_waiting(world, minutes=1)  # the worker has two minutes before it is late
    client.force_login(world.admin)

    assert worker_backlog().late is False
    assert "Les tâches de fond sont en retard" not in client.get(reverse("accounts:dashboard")).content.decode()


def test_an_overdue_export_and_email_show_the_banner_to_admins_on_their_space_and_the_export_page(client, world):
    _export_waiting(world, minutes=10)
    email_queue(to=["x@exemple.fr"], subject="Essai", body="Corps")
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))  # the others: not due
    OutgoingEmail.objects.filter(subject="Essai").update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))

    backlog = worker_backlog()
    assert (backlog.waiting, backlog.kinds) == (2, ("exports", "courriels"))
    client.force_login(world.admin)
    for path in (reverse("accounts:dashboard"),
                 reverse("exports:wave", args=[world.wave.call.slug, world.wave.slug])):
        page = client.get(path).content.decode()
        assert "Les tâches de fond sont en retard" in page, path
        assert "2 tâches (exports, courriels) attendent depuis le" in page


def test_an_applicant_never_sees_the_banner(client, world):
    _export_waiting(world, minutes=10)
    client.force_login(world.applicant)

    assert "Les tâches de fond sont en retard" not in client.get(reverse("accounts:dashboard")).content.decode()


def test_staff_get_a_link_to_the_admin_site_and_others_do_not(client, world, make_user):
    staff = make_user("equipe@exemple.fr")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("accounts:dashboard")).content.decode()
    client.force_login(world.admin)
    assert f'href="{reverse("admin:index")}"' not in client.get(reverse("accounts:dashboard")).content.decode()


def test_an_overdue_webhook_is_late_work_for_the_banner_and_for_the_health_check_alike(client, world):
    """One list of the worker's work (`exports.worker`): a webhook delivery waiting an hour shows in the admins' banner
    and makes `/sante/` say the worker lags (the health check once left webhooks out)."""
    from fabriques.webhooks.models import WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(call=world.call, url="https://example.org/hook", created_by=world.admin)
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))  # nothing else due
    assert client.get("/sante/").json()["checks"]["worker"]["lag_s"] == 0
    WebhookDelivery.objects.create(endpoint=endpoint, event="dossier.deposited", body="{}",
                                   next_attempt_at=timezone.now() - dt.timedelta(hours=1))

    assert worker_backlog().kinds == ("webhooks",)
    worker = client.get("/sante/").json()["checks"]["worker"]
    assert worker["ok"] is False
    assert 3590 <= worker["lag_s"] <= 3700
