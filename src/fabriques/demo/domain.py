"""Demo content for `make run`: an open wave today and one account per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.accounts.models import User
from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
from fabriques.calls.models import Call, Wave
from fabriques.demo.committee_demo import demo_closed_wave
from fabriques.demo.followup_demo import demo_followup
from fabriques.demo.people import demo_user
from fabriques.demo.roles_demo import demo_applicant_draft, demo_instruction_wave
from fabriques.demo.support_demo import demo_support

PARIS = ZoneInfo("Europe/Paris")
DEMO_CALL_FILE = DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml"
# A second call beside the 2019 AMI, loaded from its definition alone (a regional call, waves in 2027).
SECOND_CALL_FILE = DEFINITIONS_DIR / "tiers-lieux-bretagne-2027.toml"
DEMO_PASSWORD = "fabriques-demo-2019"  # noqa: S105 - printed on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str | None
    label: str


DEMO_ACCOUNTS = [
    DemoAccount("porteur@demo.fabriques.fr", None, "Porteur de projet"),
    DemoAccount("instructeur@demo.fabriques.fr", Role.INSTRUCTOR, "Instructeur"),
    DemoAccount("evaluateur@demo.fabriques.fr", Role.EVALUATOR, "Évaluateur"),
    DemoAccount("comite@demo.fabriques.fr", Role.COMMITTEE, "Membre du comité"),
    DemoAccount("admin@demo.fabriques.fr", Role.ADMIN, "Administrateur du programme"),
]


def demo_open_wave(*, call: Call, today: dt.date | None = None) -> Wave:
    """A wave open today: opened two weeks ago, closes in six weeks at 23:59:59 (Paris)."""
    today = today or timezone.localdate()
    opens = dt.datetime.combine(today - dt.timedelta(days=14), dt.time(9, 0), tzinfo=PARIS)
    closes = dt.datetime.combine(today + dt.timedelta(days=42), dt.time(23, 59, 59), tzinfo=PARIS)
    wave, created = Wave.objects.get_or_create(
        call=call,
        slug="vague-demo",
        defaults={
            "title": "Vague de démonstration (ouverte)",
            "opens_at": opens,
            "closes_at": closes,
            "envelope_eur": 4500000,
            "max_laureates": 30,
            "is_demo": True,
        },
    )
    if not created and not wave.is_open():
        wave.opens_at, wave.closes_at = opens, closes
        wave.save(update_fields=["opens_at", "closes_at"])
    return wave


def demo_accounts(*, call: Call) -> list[DemoAccount]:
    """One confirmed account per role; existing accounts keep their data."""
    for account in DEMO_ACCOUNTS:
        demo_user(account.email, DEMO_PASSWORD, call=call, role=account.role, first_name=account.label)
    return DEMO_ACCOUNTS


def demo_second_call() -> Call:
    """The regional Bretagne call beside the 2019 AMI, as its definition gives it (no code of its own): its public
    page, its rules and its upcoming waves show that the platform runs any call; the demo's programme admin
    administers it too."""
    call = call_load_file(path=SECOND_CALL_FILE).call
    for account in DEMO_ACCOUNTS:
        if account.role == Role.ADMIN:
            demo_user(account.email, DEMO_PASSWORD, call=call, role=account.role, first_name=account.label)
    return call


def demo_seed(*, committee: bool = True) -> tuple[Call, Wave, list[DemoAccount]]:
    """Load the 2019 AMI, open a demo wave, create the demo accounts, the closed demo wave (committee) and a wave in
    instruction with a dossier waiting for each role; safe to run again (what exists is kept)."""
    call = call_load_file(path=DEMO_CALL_FILE).call
    with transaction.atomic():
        wave = demo_open_wave(call=call)
        accounts = demo_accounts(call=call)
        demo_second_call()
    if committee:
        from django.test.utils import override_settings

        users = {a.email.split("@")[0]: User.objects.get(email=a.email) for a in accounts}
        # The demo's applicants and evaluators are fictitious: their e-mails are not printed. The backend is
        # swapped around the transaction, not inside it: the e-mails leave from on-commit callbacks.
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", FABRIQUES_DEPOSIT_PROOF_EMAIL=False
            ),
            transaction.atomic(),
        ):
            people = {"admin": users["admin"], "instructor": users["instructeur"], "evaluator": users["evaluateur"]}
            demo_closed_wave(call=call, password=DEMO_PASSWORD, **people)
            demo_instruction_wave(call=call, password=DEMO_PASSWORD, applicant=users["porteur"], **people)
            demo_applicant_draft(wave=wave, applicant=users["porteur"])
            demo_followup(call=call, password=DEMO_PASSWORD, users=users)  # issue 18: agreements, tranches, reports
            demo_support(call=call, wave=wave, password=DEMO_PASSWORD, users=users)  # issue 19: advisers, FAQ
    return call, wave, accounts
