"""The audit log cannot be edited through the application, and tampering is detected by audit-verify."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from fabriques.audit.domain import audit_record
from fabriques.audit.models import AuditEntry


@pytest.fixture
def entries(call, admin_user):
    return [
        audit_record(action="call.loaded", obj=call, by=admin_user, after={"title": call.title}, call_id=call.pk),
        audit_record(action="call.opened", obj=call, by=admin_user, before={"open": False}, after={"open": True}),
        audit_record(action="call.note", obj=call, reason="relecture"),
    ]


@pytest.fixture
def superuser_client(client, make_user):
    boss = make_user("root@example.org")
    boss.is_staff = boss.is_superuser = True
    boss.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(boss)
    return client


def test_superuser_can_read_the_log_in_the_admin(superuser_client, entries):
    response = superuser_client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "call.opened" in page
    assert reverse("admin:audit_auditentry_add") not in page


def test_nobody_can_add_change_or_delete_an_entry_in_the_admin(superuser_client, entries):
    entry = entries[1]
    before = AuditEntry.objects.values().get(pk=entry.pk)

    assert superuser_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert superuser_client.post(reverse("admin:audit_auditentry_add"), {"action": "x"}).status_code == 403
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert superuser_client.post(change_url, {"action": "falsified", "reason": "x"}).status_code == 403
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = superuser_client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries]},
    )
    assert bulk.status_code in {200, 302}

    assert AuditEntry.objects.count() == 3
    assert AuditEntry.objects.values().get(pk=entry.pk) == before


def test_audit_verify_reports_an_intact_chain(entries):
    out = io.StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue().strip() == "Journal d’audit intègre : 3 entrées vérifiées."


def test_audit_verify_fails_at_the_first_edited_entry(entries):
    AuditEntry.objects.filter(pk=entries[1].pk).update(reason="modifié en base")

    with pytest.raises(CommandError) as error:
        call_command("audit_verify")

    assert str(error.value) == (
        f"Journal d’audit altéré : entrée n° {entries[1].pk} — le contenu de l’entrée a été modifié (2 entrées lues)."
    )


def test_audit_verify_fails_when_an_entry_is_deleted(entries):
    AuditEntry.objects.filter(pk=entries[1].pk).delete()

    with pytest.raises(CommandError) as error:
        call_command("audit_verify")

    assert f"entrée n° {entries[2].pk} — le lien vers l’entrée précédente est rompu" in str(error.value)
