"""Two transactions appending to the audit chain at the same time (PostgreSQL): one chain, no fork."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from fabriques.audit.domain import audit_record, audit_verify

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's IMMEDIATE transactions serialise writers")
def test_a_writer_waiting_for_another_chains_after_its_entry_not_beside_it(call):
    audit_record(action="start", obj=call)
    first_wrote, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                audit_record(action="first", obj=call)
                first_wrote.set()
                time.sleep(0.5)  # the second writer is waiting for the chain meanwhile
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def second():
        try:
            first_wrote.wait(5)
            audit_record(action="second", obj=call)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    check = audit_verify()
    assert (check.ok, check.checked) == (True, 3)
