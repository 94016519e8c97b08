"""Entries recorded inside `audit_batch()` (the deposit's three, from three apps) are chained in order and written
together when the block ends, in the caller's transaction; nothing is written when the block raises."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fabriques.audit.domain import GENESIS, audit_batch, audit_record, audit_record_many, audit_verify
from fabriques.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_batch_chains_its_entries_in_order_with_one_insert(call, admin_user):
    before = audit_record(action="before", obj=call, by=admin_user)

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit_batch():
        first = audit_record(action="a", obj=call, by=admin_user)
        many = audit_record_many(entries=[{"action": "b", "obj": call, "by": admin_user},
                                          {"action": "c", "obj": call, "by": None}])
        with audit_batch():  # nested: left to the outer block
            last = audit_record(action="d", obj=call, by=admin_user)
        assert AuditEntry.objects.count() == 1  # nothing written before the block ends

    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditentry"')]
    assert len(inserts) == 1
    assert [e.action for e in AuditEntry.objects.order_by("id")] == ["before", "a", "b", "c", "d"]
    assert first.previous_hash == before.entry_hash
    assert many[0].previous_hash == first.entry_hash
    assert last.previous_hash == many[1].entry_hash
    assert AuditEntry.objects.get(action="d").entry_hash == last.entry_hash
    assert audit_verify().ok is True
    assert audit_verify().checked == 5


def test_a_batch_that_raises_writes_nothing(call, admin_user):
    def record_then_fail():
        with transaction.atomic(), audit_batch():
            audit_record(action="a", obj=call, by=admin_user)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        record_then_fail()

    assert AuditEntry.objects.count() == 0
    assert audit_record(action="b", obj=call, by=admin_user).previous_hash == GENESIS  # the chain goes on
