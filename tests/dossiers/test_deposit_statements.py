"""The deposit page and the deposit POST run a fixed, small number of SQL statements (issue 21: the deadline rush,
where each statement costs ≈ 0.3 ms of CPU). A new statement in either is a choice to make knowingly."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabriques.dossiers.models import Dossier
from fabriques.instruction.models import Instruction

pytestmark = pytest.mark.django_db

# session, user, dossier (with its call's stamp, for the memoised track definition), answers, budget lines, attachments
PAGE = 6
# session, user, dossier; the transaction: locked dossier, versions, answers, budget lines, attachments, the version,
# the state and deposit date (one UPDATE, the lock already held), routing (instruction? rules, insert; here also the
# national group's read and creation, this world having no routing rule), webhooks, the notice, the proof and its
# attachment, the audit chain's head and its insert; savepoints and BEGIN/COMMIT apart.
FIRST_DEPOSIT = 21
# the same without the transition (state, routing, webhooks, notice): the deposit date's UPDATE alone
REDEPOSIT = 14
# PostgreSQL also takes the audit chain's advisory lock (SQLite's IMMEDIATE transaction already serialises writers).
CHAIN_LOCK = {"postgresql": 1}
KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def _statements(ctx) -> int:
    """Statements that do work: not BEGIN, COMMIT, SAVEPOINT, RELEASE (backends differ in how they show them)."""
    return sum(1 for q in ctx.captured_queries
               if not re.match(r"\s*(BEGIN|COMMIT|SAVEPOINT|RELEASE|ROLLBACK)\b", q["sql"], re.IGNORECASE))


def _deposit(client, dossier) -> tuple[int, int]:
    url = reverse("dossiers:deposit", args=[dossier.uuid])
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    assert response.status_code == 200
    key = KEY.search(response.content.decode()).group(1)
    with CaptureQueriesContext(connection) as post:
        assert client.post(url, {"submission_key": key}).status_code == 302
    return _statements(page), _statements(post)


def test_the_deposit_page_and_post_run_a_fixed_number_of_statements(client, applicant, complete_dossier, settings):
    settings.FABRIQUES_DEPOSIT_PROOF_QUEUE = True  # production: both e-mails leave from the worker
    client.force_login(applicant)
    lock = CHAIN_LOCK.get(connection.vendor, 0)
    page, post = _deposit(client, complete_dossier)
    assert Dossier.objects.get(pk=complete_dossier.pk).state == "deposited"
    assert Instruction.objects.filter(dossier=complete_dossier).count() == 1
    assert (page, post) == (PAGE, FIRST_DEPOSIT + lock)
    page, post = _deposit(client, complete_dossier)
    assert (page, post) == (PAGE, REDEPOSIT + lock)
