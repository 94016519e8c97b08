"""Permission matrix: every URL of the project, GET by every role, with the expected status.

`test_every_url_has_a_row` FAILS as soon as a URL name exists without a row below (or an explicit
skip rule). To add your URL:

1. If its kwargs need an object, add a builder to `KWARGS` (it receives the `world` namespace built
   by the `world` fixture: `world.call`, `world.wave`, `world.dossier`, `world.users[role]`...;
   add what you need to the fixture).
2. Add one line to `ROWS`: `"namespace:name": ("kwargs-key or None", "anon owner other instr eval comm admin")`,
   the seven GET statuses in the order of `ROLES`: anonymous, applicant (owner of `world.dossier`),
   other applicant, instructor (of the call, not in the dossier's instruction group), evaluator,
   committee member, programme admin — each a role on `world.call`.
3. Not sure? Run `URL_MATRIX_OBSERVE=1 pytest -s -p no:playwright tests/security/test_url_matrix.py -k observe`:
   it prints what every URL returns now. Check each figure against who should see what (nobody
   sees what is not theirs: 403/404), fix the view if needed, then copy the line.

Statuses: 200 shown, 302 redirected (anonymous: to the log-in page), 401 API without token,
403 refused, 404 hidden, 405 the URL only takes POST (its POST is tested by its app).
Agents are logged in with `force_login` and the TOTP requirement off (see tests/conftest.py).
"""

import os
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fabriques.accounts.enums import Role
from tests.dossiers.conftest import (  # noqa: F401 - fixtures re-exported for the world below
    applicant,
    commune,
    complete_dossier,
    deposited_dossier,
    dossier,
    media_root,
    organisation,
    track,
)

ROLES = ["anonymous", "applicant", "other", "instructor", "evaluator", "committee", "admin"]


def skipped(name: str) -> str | None:
    """Explicit rules for URLs that are not ours to test here; returns the reason, or None."""
    if name.startswith("admin:"):
        return "Django admin: staff only, its own permission system (audit log read-only: test_audit_log.py)"
    if name.startswith(("socialaccount_", "openid_connect_", "proconnect_", "<unnamed social/")):
        return "allauth's social log-in (ProConnect): tested against a real provider, tests/accounts/test_proconnect.py"
    if name.startswith(("account_", "mfa_")):
        # allauth's own pages (log-in, sign-up, password, e-mail, second factor) are tested by allauth;
        # our TOTP rule for agents is tested in test_agent_mfa.py.
        return "allauth"
    return None


KWARGS = {
    "call": lambda w: {"slug": w.call.slug},
    "call_slug": lambda w: {"call_slug": w.call.slug, "wave_slug": w.wave.slug},
    "dossier": lambda w: {"uuid": w.dossier.uuid},
    "dossier_api": lambda w: {"dossier_uuid": w.dossier.uuid},
    "api_call": lambda w: {"slug": w.call.slug},
    "invitation": lambda w: {"token": w.invitation.token},
    "organisation": lambda w: {"pk": w.dossier.organisation_id},
    "answer": lambda w: {"uuid": w.dossier.uuid, "code": w.criterion.code},
    "attachment": lambda w: {"uuid": w.dossier.uuid, "file_uuid": w.attachment.uuid},
    "version": lambda w: {"uuid": w.dossier.uuid, "number": 1},
    "wave": lambda w: {"wave_id": w.wave.pk},
    "scope": lambda w: {"wave_id": w.wave.pk, "user_id": w.users["evaluator"].pk},
    "export": lambda w: {"call_slug": w.call.slug, "wave_slug": w.wave.slug, "fmt": "xlsx"},
    "eval_dossier": lambda w: {"uuid": w.evaluation.active.dossier.uuid},
    "assignment_active": lambda w: {"pk": w.evaluation.active.pk},
    "assignment_awaiting": lambda w: {"pk": w.evaluation.awaiting.pk},
    "evaluation": lambda w: {"pk": w.evaluation.active.evaluation.pk},
    "call_only": lambda w: {"call_slug": w.call.slug},
    "webhook": lambda w: {"call_slug": w.call.slug, "pk": 1},
    "token": lambda w: {"pk": 1},
    "export_job_api": lambda w: {"job_id": 1},
    "export_job": lambda w: {"pk": _export_job(w).pk},
    "inbox_email": lambda w: {"name": "20260101T000000000000-abcdef12"},
    "eval_attachment": lambda w: {"pk": w.evaluation.active.pk, "file_uuid": "00000000-0000-4000-8000-000000000000"},
    "eval_deposited_file": lambda w: {"pk": _eval_file(w).assignment.pk, "file_uuid": _eval_file(w).file.uuid},
    "cowriter_invitation": lambda w: {"uuid": w.dossier.uuid, "pk": 1},
    "advice_review": lambda w: {"uuid": _advice(w).invitation.uuid},
    "advice_comment": lambda w: {"uuid": _advice(w).invitation.uuid, "code": w.criterion.code},
    "advice_reply": lambda w: {"uuid": _advice(w).invitation.uuid, "pk": _advice(w).thread.pk},
    "advice_attachment": lambda w: {"uuid": _advice(w).invitation.uuid, "file_uuid": w.attachment.uuid},
    "advice_token": lambda w: {"token": _advice(w).invitation.token},
    "advice_thread": lambda w: {"uuid": w.dossier.uuid, "pk": _advice(w).thread.pk},
    "advice_revoke": lambda w: {"uuid": w.dossier.uuid, "invitation": _advice(w).invitation.uuid},
    "advice_suggestion": lambda w: {"uuid": w.dossier.uuid, "pk": _advice(w).comment.pk},
    "network": lambda w: {"slug": _advice(w).network.slug},
    "network_invitation": lambda w: {"slug": _advice(w).network.slug, "uuid": _advice(w).invitation.uuid},
    "faq_question": lambda w: {"slug": w.call.slug, "pk": _faq_question(w).pk},
    "complement": lambda w: {"uuid": w.dossier.uuid, "pk": _complement(w).pk},
}


def _advice(w):
    """An adviser reading `w.dossier` (none of the seven roles), a thread, a listed network (built once)."""
    from tests.advice.factories import advice_world

    return advice_world(w)


def _complement(w):
    """An open request for complements on `w.dossier` (built once)."""
    if getattr(w, "complement", None) is None:
        import datetime as dt

        from django.utils import timezone

        from fabriques.instruction.models import ComplementRequest

        w.complement = ComplementRequest.objects.create(
            dossier=w.dossier, requested_by=w.users["admin"], requested_at=timezone.now(),
            due_at=timezone.now() + dt.timedelta(days=15), message="Précisez le budget.", base_version=1)
    return w.complement


def _faq_question(w):
    """A question asked by the applicant on the call (built once)."""
    if getattr(w, "faq_question", None) is None:
        from fabriques.faq.domain import question_ask

        w.faq_question = question_ask(call=w.call, by=w.users["applicant"], text="Une SCIC peut-elle candidater ?")
    return w.faq_question


def _export_job(w):
    """A finished export job of the programme admin, with its file."""
    from django.core.files.base import ContentFile

    from fabriques.exports.enums import JobState
    from fabriques.exports.models import ExportJob

    job = ExportJob.objects.create(requested_by=w.users["admin"], wave=w.wave, format="csv", state=JobState.DONE)
    job.file.save("export.csv", ContentFile(b"a,b\n"))
    return job

#            name: (kwargs key, "anon  owner other instr eval  comm  admin")
ROWS: dict[str, tuple[str | None, str]] = {
    "audit:log": ("call", "302 403 403 403 403 403 200"),
    "calls:waves": ("call", "302 403 403 403 403 403 200"),
    "accounts:dashboard": (None, "302 200 200 200 200 200 200"),
    "accounts:erase": (None, "302 200 200 200 200 200 200"),
    "accounts:my-data": (None, "302 200 200 200 200 200 200"),
    "accounts:invitation": ("invitation", "200 200 200 200 200 200 200"),
    "accounts:invite": ("call", "302 403 403 403 403 403 200"),
    "accounts:resend_confirmation": (None, "200 200 200 200 200 200 200"),
    "mail:inbox": (None, "404 404 404 404 404 404 404"),  # development inbox: DEBUG only (tests run without)
    "mail:inbox_email": ("inbox_email", "404 404 404 404 404 404 404"),
    "theme:accessibility": (None, "200 200 200 200 200 200 200"),
    "theme:contact": (None, "200 200 200 200 200 200 200"),
    "theme:colours": (None, "200 200 200 200 200 200 200"),  # the neutral theme's colours (public CSS)
    "theme:legal": (None, "200 200 200 200 200 200 200"),
    "theme:personal_data": (None, "200 200 200 200 200 200 200"),
    "theme:sitemap": (None, "200 200 200 200 200 200 200"),
    "admin_login": (None, "302 302 302 302 302 302 302"),  # to allauth's log-in: no password-only form
    "health": (None, "200 200 200 200 200 200 200"),  # the load balancer's check: statuses only, no personal data
    "api-v1:api-root": (None, "404 404 404 404 404 404 404"),
    "api-v1:create_export": (None, "405 405 405 405 405 405 405"),
    "api-v1:get_call": ("call", "200 200 200 200 200 200 200"),
    "api-v1:get_decision": ("dossier_api", "401 401 401 401 401 401 401"),
    "api-v1:get_dossier": ("dossier_api", "401 401 401 401 401 401 401"),
    "api-v1:get_evaluations": ("dossier_api", "401 401 401 401 401 401 401"),
    "api-v1:list_calls": (None, "200 200 200 200 200 200 200"),
    "api-v1:list_dossiers": (None, "401 401 401 401 401 401 401"),
    "api-v1:openapi-json": (None, "200 200 200 200 200 200 200"),
    "apitokens:list": (None, "302 403 403 200 200 200 200"),
    "calls:detail": ("call", "200 200 200 200 200 200 200"),
    "calls:calendar": ("call", "200 200 200 200 200 200 200"),  # public; a personal feed needs its signed link
    "calls:home": (None, "200 200 200 200 200 200 200"),
    "committee:applicant-decision": ("dossier", "302 200 404 404 404 404 404"),
    "committee:compare": ("call_slug", "302 403 403 403 403 200 200"),
    "committee:decisions": ("call_slug", "302 403 403 403 403 200 200"),
    "committee:dossier": ("dossier", "302 404 404 404 404 200 200"),
    "committee:outbox": ("call_slug", "302 403 403 403 403 403 200"),
    "committee:outbox-progress": ("call_slug", "302 403 403 403 403 403 200"),  # « 12 / 60 envoyées » (htmx)
    "committee:scenario-create": ("call_slug", "302 405 405 405 405 405 405"),
    "committee:session": ("call_slug", "302 403 403 403 403 200 200"),
    "dossiers:cowriter-resend": ("cowriter_invitation", "302 405 405 405 405 405 405"),
    "dossiers:cowriter-revoke": ("cowriter_invitation", "302 405 405 405 405 405 405"),
    "dossiers:answer": ("answer", "302 200 404 404 404 404 404"),
    "dossiers:attachment-delete": ("attachment", "302 405 405 405 405 405 405"),
    "dossiers:attachment-download": ("attachment", "302 200 404 404 404 404 404"),
    "dossiers:attachments": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:budget": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:cowriters": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:create": (None, "302 200 302 302 302 302 302"),
    "dossiers:deposit": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:detail": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:list": (None, "302 200 200 200 200 200 200"),
    "dossiers:organisation-create": (None, "302 200 200 200 200 200 200"),
    "dossiers:organisation-edit": ("organisation", "302 200 404 404 404 404 404"),
    "dossiers:place": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:proof": ("version", "302 200 404 404 404 404 404"),
    "dossiers:selfcheck": ("dossier", "302 200 404 404 404 404 404"),
    "dossiers:withdraw": ("dossier", "302 405 405 405 405 405 405"),
    # issue 23: a file of the deposited version, only for the evaluator assigned and declared free of conflict
    "evaluation:attachment": ("eval_deposited_file", "302 404 404 404 200 404 404"),
    "evaluation:assign_auto": ("wave", "302 403 403 200 403 403 200"),
    "evaluation:assignment_remove": ("assignment_active", "302 405 405 405 405 405 405"),
    "evaluation:declare": ("assignment_awaiting", "302 404 404 404 200 404 404"),
    # issue 15: evaluation managed like instruction, by the dossier's group (the instructor here is in another one)
    "evaluation:dossier_assignments": ("eval_dossier", "302 403 403 404 403 403 200"),
    "evaluation:evaluation_reopen": ("evaluation", "302 405 405 405 405 405 405"),
    "evaluation:grid": ("assignment_active", "302 404 404 404 200 404 404"),
    "evaluation:evaluators": ("wave", "302 403 403 200 403 403 200"),
    "evaluation:mine": (None, "302 200 200 200 200 200 200"),
    "evaluation:scope_edit": ("scope", "302 403 403 403 403 403 200"),  # an evaluator's scope is call-wide: admins
    "evaluation:wave_settings": ("wave", "302 403 403 403 403 403 200"),
    "evaluation:waves": (None, "302 200 200 200 200 200 200"),
    "exports:download": ("export", "302 403 403 200 403 200 200"),
    "exports:job-create": ("call_slug", "302 405 405 405 405 405 405"),
    "exports:jobs": ("call_slug", "302 403 403 200 403 200 200"),
    "exports:wave": ("call_slug", "302 403 403 200 403 200 200"),
    "instruction:attachment": ("attachment", "302 404 404 404 404 200 200"),
    "instruction:columns": (None, "302 405 405 405 405 405 405"),
    "instruction:complements": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:confirm": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:dashboard": (None, "302 403 403 200 200 200 200"),
    "instruction:decide": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:dossier": ("dossier", "302 404 404 404 404 200 200"),
    "instruction:exchanges": ("dossier", "302 200 404 404 404 404 404"),
    "instruction:groups": ("call", "302 403 403 403 403 403 200"),
    "instruction:message": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:reroute": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:start": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:territory-class": ("dossier", "302 405 405 405 405 405 405"),
    # issue 23: follow lists, assignment, the dossier as one PDF / ZIP (evaluators kept out: their grid has the files)
    "instruction:follow": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:assign": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:dossier-pdf": ("dossier", "302 404 404 404 404 200 200"),
    "instruction:dossier-zip": ("dossier", "302 404 404 404 404 200 200"),
    # Requests for complements and Démarches Simplifiées' acts (issue 23): acts are POST only; the differences page
    # is for the agents who see the dossier (the instructor here is in another group).
    "instruction:complement-extend": ("complement", "302 405 405 405 405 405 405"),
    "instruction:complement-cancel": ("complement", "302 405 405 405 405 405 405"),
    "instruction:complement-diff": ("complement", "302 404 404 404 404 200 200"),
    "instruction:reinstruct": ("dossier", "302 405 405 405 405 405 405"),
    "instruction:close": ("dossier", "302 405 405 405 405 405 405"),
    "evaluation:bulk": (None, "302 405 405 405 405 405 405"),  # the dashboard's bulk acts: POST only
    "instruction:saved-filter-save": (None, "302 405 405 405 405 405 405"),
    "instruction:saved-filter-delete": ("token", "302 405 405 405 405 405 405"),
    "instruction:labels": ("dossier", "302 405 405 405 405 405 405"),
    "territory:batch": (None, "302 403 403 200 200 200 200"),
    "territory:commune-search": (None, "200 200 200 200 200 200 200"),
    "territory:eligibility-check": (None, "200 200 200 200 200 200 200"),
    "api-v1:get_export": ("export_job_api", "401 401 401 401 401 401 401"),
    "api-v1:get_export_file": ("export_job_api", "401 401 401 401 401 401 401"),
    "apitokens:revoke": ("token", "302 405 405 405 405 405 405"),
    "exports:job-download": ("export_job", "302 404 404 404 404 404 200"),
    "opendata:datapackage": (None, "200 200 200 200 200 200 200"),
    "opendata:laureates-csv": (None, "200 200 200 200 200 200 200"),
    "opendata:laureates-geojson": (None, "200 200 200 200 200 200 200"),
    "opendata:map": (None, "200 200 200 200 200 200 200"),
    "opendata:page": (None, "200 200 200 200 200 200 200"),
    "opendata:statistics": ("call_only", "302 403 403 403 403 200 200"),
    "opendata:statistics-index": (None, "302 403 403 403 403 302 302"),
    "webhooks:endpoints": ("call_only", "302 403 403 403 403 403 200"),
    "webhooks:delete": ("webhook", "302 405 405 405 405 405 405"),
    "webhooks:test": ("webhook", "302 405 405 405 405 405 405"),
    "webhooks:toggle": ("webhook", "302 405 405 405 405 405 405"),
    # Advisers (issue 19): none of the seven roles is the adviser; adviser-only cases in tests/advice.
    "advice:accept": ("advice_token", "200 200 200 200 200 200 200"),  # the secret token is the key
    "advice:accept-suggestion": ("advice_suggestion", "302 405 405 405 405 405 405"),
    "advice:attachment": ("advice_attachment", "302 404 404 404 404 404 404"),
    "advice:comment": ("advice_comment", "302 405 405 405 405 405 405"),
    "advice:dossier": ("dossier", "302 200 404 404 404 404 404"),
    "advice:dossier-reply": ("advice_thread", "302 405 405 405 405 405 405"),
    "advice:mine": (None, "302 200 200 200 200 200 200"),
    "advice:network": ("network", "200 200 200 200 200 200 200"),
    "advice:network-accept": ("network_invitation", "302 405 405 405 405 405 405"),
    "advice:network-create": (None, "302 200 200 200 200 200 200"),
    "advice:network-dossiers": ("network", "302 404 404 404 404 404 404"),
    "advice:network-members": ("network", "302 404 404 404 404 404 404"),
    "advice:networks": (None, "200 200 200 200 200 200 200"),
    "advice:reply": ("advice_reply", "302 405 405 405 405 405 405"),
    "advice:review": ("advice_review", "302 404 404 404 404 404 404"),
    "advice:revoke": ("advice_revoke", "302 405 405 405 405 405 405"),
    "advice:thread-state": ("advice_thread", "302 405 405 405 405 405 405"),
    "faq:answer": ("faq_question", "302 403 403 403 403 403 200"),
    "faq:ask": ("call", "302 200 200 200 200 200 200"),
    "faq:faq": ("call", "200 200 200 200 200 200 200"),
    "faq:follow": ("call", "302 405 405 405 405 405 405"),
    "faq:mine": (None, "302 200 200 200 200 200 200"),
    "faq:team": ("call", "302 403 403 403 403 403 200"),
}

# Follow-up of the laureates (issue 18): the laureate's members and the call's agents (not evaluators) see it;
# programme admins and instructors act on it. `_followup` builds a laureate of `applicant` with its agreement.
KWARGS.update({
    "followup_agreement": lambda w: {"uuid": _followup(w).agreement.uuid},
    "followup_agreement_version": lambda w: {"uuid": _followup(w).agreement.uuid, "number": 1},
    "followup_tranche": lambda w: {"pk": _followup(w).agreement.tranches.get(number=1).pk},
    "followup_report": lambda w: {"uuid": _followup(w).report.uuid},
    "followup_report_version": lambda w: {"uuid": _followup(w).report.uuid, "number": 1},
    "followup_report_file": lambda w: {"uuid": _followup(w).report.uuid, "file_uuid": _followup(w).attachment.uuid},
    "followup_export": lambda w: {"call_slug": w.call.slug, "fmt": "csv"},
    "followup_api": lambda w: {"reference": _followup(w).agreement.reference},
    "followup_api_tranche": lambda w: {"reference": _followup(w).agreement.reference, "number": 1},
})
ROWS.update({
    "followup:index": (None, "302 200 200 200 200 200 200"),
    "followup:agreement": ("followup_agreement", "302 200 404 200 404 200 200"),
    "followup:agreement-pdf": ("followup_agreement_version", "302 200 404 200 404 200 200"),
    "followup:signed-upload": ("followup_agreement", "302 405 405 405 405 405 405"),
    "followup:signed-download": ("followup_agreement", "302 200 404 200 404 200 200"),
    "followup:agreement-action": ("followup_agreement", "302 405 405 405 405 405 405"),
    "followup:amend": ("followup_agreement", "302 403 404 200 404 403 200"),
    "followup:terminate": ("followup_agreement", "302 403 404 200 404 403 200"),
    "followup:tranche-action": ("followup_tranche", "302 405 405 405 405 405 405"),
    "followup:report": ("followup_report", "302 200 404 200 404 200 200"),
    "followup:report-attachment-add": ("followup_report", "302 405 405 405 405 405 405"),
    "followup:report-attachment": ("followup_report_file", "302 200 404 200 404 200 200"),
    "followup:report-attachment-remove": ("followup_report_file", "302 405 405 405 405 405 405"),
    "followup:report-proof": ("followup_report_version", "302 200 404 200 404 200 200"),
    "followup:report-review": ("followup_report", "302 405 405 405 405 405 405"),
    "followup:programme": ("call_only", "302 403 403 200 403 200 200"),
    "followup:programme-export": ("followup_export", "302 403 403 200 403 200 200"),
    "followup:generate": ("call_only", "302 405 405 405 405 405 405"),
    "followup:payments-request": ("call_only", "302 405 405 405 405 405 405"),
    "followup:payments-export": ("followup_export", "302 403 403 200 403 403 200"),
    "followup:indicators": ("call_only", "302 403 403 200 403 200 200"),
    "followup:opendata-csv": ("call_only", "200 200 200 200 200 200 200"),
    "followup:opendata-datapackage": ("call_only", "200 200 200 200 200 200 200"),
    "api-v1:list_agreements": (None, "401 401 401 401 401 401 401"),
    "api-v1:get_agreement": ("followup_api", "401 401 401 401 401 401 401"),
    "api-v1:get_tranches": ("followup_api", "401 401 401 401 401 401 401"),
    "api-v1:get_reports": ("followup_api", "401 401 401 401 401 401 401"),
    "api-v1:mark_paid": ("followup_api_tranche", "405 405 405 405 405 405 405"),
})


def _followup(w):
    """A laureate of `applicant` (decision applied), its agreement signed and in force, report 1 deposited with a
    file (built once per world)."""
    if not hasattr(w, "followup"):
        from tests.followup.factories import followup_world

        w.followup = followup_world(w)
    return w.followup


# URLs whose fixture objects this file does not build yet. Each owner adds the builder and the row,
# then removes the name from here; the lead keeps this list shrinking to zero.
PENDING: dict[str, str] = {
    "committee:letter": "needs a decision letter pk builder (committee owner)",
    "committee:scenario-choose": "needs a scenario builder (committee owner)",
    "committee:scenario-dossier": "needs a scenario builder (committee owner)",
    "committee:scenario-settings": "needs a scenario builder (committee owner)",
    "committee:scenario-solve": "needs a scenario builder (committee owner)",
    "dossiers:cowriter-accept": "needs a CoWriterInvitation token builder (dossiers owner)",
    "instruction:message-attachment": "needs a message-with-attachment builder (instruction owner)",
}


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def project_url_names() -> set[str]:
    return set(_walk(get_resolver()))


@pytest.fixture
def world(call, open_wave, deposited_dossier, applicant, make_user, admin_user, track, organisation):  # noqa: F811 - imported fixtures
    from fabriques.accounts.models import Invitation

    users = {
        "anonymous": None,
        "applicant": applicant,
        "other": make_user("autre.porteur@example.org"),
        "instructor": make_user("instructeur@example.org", call=call, role=Role.INSTRUCTOR),
        "evaluator": make_user("evaluateur@example.org", call=call, role=Role.EVALUATOR),
        "committee": make_user("comite@example.org", call=call, role=Role.COMMITTEE),
        "admin": admin_user,
    }
    invitation = Invitation.objects.create(email="invite@example.org", call=call, role=Role.EVALUATOR,
                                           invited_by=admin_user)
    return SimpleNamespace(
        call=call, wave=open_wave, dossier=deposited_dossier, users=users, invitation=invitation,
        evaluation=_evaluation_world(open_wave, track, organisation, applicant, users),
        criterion=call.criteria.order_by("position").first(), attachment=deposited_dossier.attachments.first(),
    )


def _evaluation_world(wave, track, organisation, applicant, users):  # noqa: F811 - imported fixture names
    """Two dossiers in evaluation for `users["evaluator"]`: one declared free of conflict, one awaiting."""
    from fabriques.dossiers.domain import dossier_create
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.workflow import dossier_transition
    from fabriques.evaluation.assignments import assignment_create, conflict_declare

    assignments = []
    for _ in range(2):
        in_evaluation = dossier_create(wave=wave, track=track, organisation=organisation, by=applicant)
        for to in (DossierState.DEPOSITED, DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE):
            dossier_transition(in_evaluation, to, by=applicant)
        assignments.append(assignment_create(dossier=in_evaluation, evaluator=users["evaluator"],
                                                    by=users["instructor"]))
    conflict_declare(assignment=assignments[0], has_conflict=False, by=users["evaluator"])
    assignments[0].refresh_from_db()
    return SimpleNamespace(active=assignments[0], awaiting=assignments[1])


def _eval_file(w):
    """A dossier deposited with its files, admissible, evaluated by `users["evaluator"]` (no conflict declared), and
    one of its deposited files (built once per world)."""
    if getattr(w, "eval_file", None) is None:
        from fabriques.dossiers.deposit import deposit_key_issue, dossier_deposit
        from fabriques.dossiers.domain import dossier_create
        from fabriques.dossiers.enums import DossierState
        from fabriques.dossiers.workflow import dossier_transition
        from fabriques.evaluation.assignments import assignment_create, conflict_declare
        from tests.dossiers.factories import dossier_fill

        owner = w.users["applicant"]
        deposited = dossier_fill(dossier=dossier_create(wave=w.wave, track=w.dossier.track,
                                                        organisation=w.dossier.organisation, by=owner), by=owner)
        dossier_deposit(dossier=deposited, by=owner, submission_key=deposit_key_issue(dossier=deposited))
        for to in (DossierState.IN_INSTRUCTION, DossierState.ADMISSIBLE):
            dossier_transition(deposited, to, by=None)
        assignment = assignment_create(dossier=deposited, evaluator=w.users["evaluator"],
                                              by=w.users["admin"])
        conflict_declare(assignment=assignment, has_conflict=False, by=w.users["evaluator"])
        w.eval_file = SimpleNamespace(assignment=assignment, file=deposited.attachments.first())
    return w.eval_file


def _status(client, world, name: str, kwargs_key: str | None, role: str) -> int:
    client.logout()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    kwargs = KWARGS[kwargs_key](world) if kwargs_key else {}
    return client.get(reverse(name, kwargs=kwargs)).status_code


def test_every_url_has_a_row():
    names = project_url_names()
    missing = sorted(n for n in names if n not in ROWS and n not in PENDING and skipped(n) is None)
    stale = sorted((set(ROWS) | set(PENDING)) - names)
    assert not missing, "URLs without a row in tests/security/test_url_matrix.py (see its docstring): " + ", ".join(
        missing
    )
    assert not stale, "rows for URLs that no longer exist: " + ", ".join(stale)


def test_every_row_names_seven_statuses_and_a_known_builder():
    for name, (kwargs_key, statuses) in ROWS.items():
        assert kwargs_key is None or kwargs_key in KWARGS, name
        assert len(statuses.split()) == len(ROLES), name
        assert set(statuses.split()) <= {"200", "302", "401", "403", "404", "405"}, name


def test_get_by_every_role(client, world):
    """One world for all rows (building it takes seconds); the failure lists every mismatching URL."""
    mismatches = {}
    for name, (kwargs_key, statuses) in sorted(ROWS.items()):
        found = " ".join(str(_status(client, world, name, kwargs_key, role)) for role in ROLES)
        if found != statuses:
            mismatches[name] = f"expected {statuses} found {found}"

    assert mismatches == {}


@pytest.mark.skipif(not os.environ.get("URL_MATRIX_OBSERVE"), reason="set URL_MATRIX_OBSERVE=1 to print the matrix")
def test_observe(client, world):
    """Print the current status of every URL for every role, as lines ready to paste into ROWS."""
    for name in sorted(project_url_names()):
        if skipped(name) or "<unnamed" in name:
            continue
        candidates = [ROWS[name][0]] if name in ROWS else [None, *KWARGS]
        key = next((k for k in candidates if _reverses(world, name, k)), "?")
        if key == "?":
            print(f"    # {name}: no KWARGS builder fits")  # noqa: T201 - this test prints on purpose
            continue
        statuses = " ".join(str(_status(client, world, name, key, role)) for role in ROLES)
        print(f'    "{name}": ({key!r}, "{statuses}"),')  # noqa: T201 - this test prints on purpose


def _reverses(world, name, key) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name, kwargs=KWARGS[key](world) if key else {})
    except (NoReverseMatch, AttributeError):
        return False
    return True
