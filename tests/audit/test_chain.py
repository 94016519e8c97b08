import pytest

from fabriques.audit.domain import GENESIS, audit_record, audit_verify
from fabriques.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_entries_are_chained_and_verify(call, admin_user):
    first = audit_record(action="call.loaded", obj=call, by=admin_user, after={"slug": call.slug})
    second = audit_record(action="call.loaded", obj=call, by=None, reason="rechargement")

    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.entry_hash
    assert second.actor_label == "système"
    assert audit_verify().ok is True
    assert audit_verify().checked == 2


def test_an_edited_entry_breaks_the_chain_at_that_entry(call, admin_user):
    audit_record(action="a", obj=call, by=admin_user)
    tampered = audit_record(action="b", obj=call, by=admin_user, after={"amount": 100})
    audit_record(action="c", obj=call, by=admin_user)
    AuditEntry.objects.filter(pk=tampered.pk).update(after={"amount": 999})

    check = audit_verify()

    assert check.ok is False
    assert check.first_broken_id == tampered.pk


def test_a_deleted_entry_breaks_the_chain(call, admin_user):
    audit_record(action="a", obj=call, by=admin_user)
    removed = audit_record(action="b", obj=call, by=admin_user)
    after = audit_record(action="c", obj=call, by=admin_user)
    AuditEntry.objects.filter(pk=removed.pk).delete()

    check = audit_verify()

    assert check.ok is False
    assert check.first_broken_id == after.pk


def test_many_entries_written_at_once_extend_the_same_chain(call, admin_user):
    from fabriques.audit.domain import audit_record_many

    first = audit_record(action="a", obj=call, by=admin_user)
    rows = audit_record_many(entries=[
        {"action": "bulk", "obj": call, "by": admin_user, "after": {"n": n}, "call_id": call.pk} for n in range(5)
    ])
    last = audit_record(action="z", obj=call, by=None)

    assert rows[0].previous_hash == first.entry_hash
    assert last.previous_hash == rows[-1].entry_hash
    assert audit_verify().ok is True
    assert audit_verify().checked == 7
