"""Programme admins change a wave's dates in the interface, checked as the definition file checks them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post(client, call, wave, opens, closes):
    prefix = f"w{wave.pk}"
    return client.post(reverse("calls:waves", args=[call.slug]),
                       {"wave": wave.pk, f"{prefix}-opens_at": opens, f"{prefix}-closes_at": closes})


def test_an_admin_moves_the_closing_and_it_is_audited(client, call, open_wave, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("calls:waves", args=[call.slug])).content.decode()
    assert open_wave.title in page

    response = _post(client, call, open_wave, "2026-01-05T09:00", "2026-03-31T12:00")

    assert response.status_code == 302
    open_wave.refresh_from_db()
    assert timezone.localtime(open_wave.closes_at).replace(tzinfo=None) == dt.datetime(2026, 3, 31, 12, 0)
    entry = AuditEntry.objects.get(action="wave.dates")
    assert entry.after["closes_at"].startswith("2026-03-31T12:00")


def test_a_closing_before_the_opening_is_refused_in_french_and_keeps_what_was_typed(client, call, open_wave,
                                                                                     admin_user):
    before = (open_wave.opens_at, open_wave.closes_at)
    client.force_login(admin_user)

    response = _post(client, call, open_wave, "2026-05-01T09:00", "2026-04-01T09:00")

    page = response.content.decode()
    assert response.status_code == 400
    assert "La clôture doit être postérieure à l’ouverture." in page
    assert 'value="2026-04-01T09:00"' in page
    open_wave.refresh_from_db()
    assert (open_wave.opens_at, open_wave.closes_at) == before


def test_an_unreadable_date_is_refused_next_to_its_field(client, call, open_wave, admin_user):
    client.force_login(admin_user)
    response = _post(client, call, open_wave, "demain", "2026-04-01T09:00")
    assert response.status_code == 400
    assert "Saisissez une date et une heure valides." in response.content.decode()


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.COMMITTEE, None])
def test_only_programme_admins_change_dates(client, call, open_wave, make_user, role):
    client.force_login(make_user("agent@exemple.fr", call=call, role=role))
    assert client.get(reverse("calls:waves", args=[call.slug])).status_code == 403
    assert _post(client, call, open_wave, "2026-01-05T09:00", "2026-03-31T12:00").status_code == 403
