"""Demo dossiers waiting for each role (issue 16): every screen a role acts on can be tried from `make run`.

A closed wave « en instruction » holds, for the instructor, two deposited dossiers to take into instruction (one of
them fails the QPV rule: refuse it, or override with a reason) and one in instruction with a line to settle by
hand; for the demo applicant, a complement request to answer; for the demo evaluator, one dossier awaiting their
conflict-of-interest declaration and one whose evaluation is to write. In the open wave, the demo applicant has a
complete draft to deposit. Everything goes through the domain functions; a second run finds them and does nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fabriques.accounts.enums import Role
from fabriques.accounts.models import User
from fabriques.calls.models import Wave
from fabriques.demo.committee_demo import build_at, instruct
from fabriques.demo.people import demo_user
from fabriques.demo.places import CAEN, CAPITOLE, DIJON, FIGEAC, GUERET, NANTES, PENTES
from fabriques.evaluation.assignments import assignment_create, conflict_declare
from fabriques.evaluation.models import Assignment
from fabriques.instruction.admissibility import instruction_start
from fabriques.instruction.complements import complements_request
from fabriques.instruction.routing import national_group

INSTRUCTION_WAVE = "vague-demo-instruction"


def demo_instruction_wave(*, call, password: str, admin: User, instructor: User, evaluator: User,
                          applicant: User) -> Wave:
    """Build the wave in instruction once; later runs find it and return at once."""
    wave = Wave.objects.filter(call=call, slug=INSTRUCTION_WAVE).first()
    if wave is not None and wave.dossiers.exists():
        return wave
    now = timezone.now()
    wave = wave or Wave.objects.create(
        call=call, slug=INSTRUCTION_WAVE, title="Vague de démonstration (close, en instruction)",
        opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1), envelope_eur=4500000,
        max_laureates=30, is_demo=True,
    )
    rng = random.Random(2020)  # nosec B311 - seeded demo data, not security
    owner = {i: demo_user(f"porteur{i}@demo.fabriques.fr", password, call=call) for i in range(63, 68)}
    deposited = [build_at(CAPITOLE, wave=wave, owner=owner[63], rng=rng),
                 build_at(GUERET, wave=wave, owner=owner[64], rng=rng)]
    to_settle = build_at(PENTES, wave=wave, owner=owner[65], rng=rng)
    complements = build_at(NANTES, wave=wave, owner=applicant, rng=rng)
    to_evaluate = [(build_at(DIJON, wave=wave, owner=owner[66], rng=rng), DIJON),
                   (build_at(CAEN, wave=wave, owner=owner[67], rng=rng), CAEN)]
    wave.opens_at, wave.closes_at = now - dt.timedelta(days=70), now - dt.timedelta(days=10)
    wave.save(update_fields=["opens_at", "closes_at"])
    assert all(d.state == "deposited" for d in deposited)  # noqa: S101 - demo sanity: waiting for instruction  # nosec B101 - demo sanity check

    national_group(call=call).members.add(instructor)
    instruction_start(dossier=to_settle, by=instructor)
    instruction_start(dossier=complements, by=instructor)
    complements_request(
        dossier=complements, sections=[("budget", "Le budget")], by=instructor,
        message="Merci de détailler les cofinancements de la deuxième année : montants et financeurs attendus.",
        due_at=now + dt.timedelta(days=15),
    )
    evaluators = [evaluator] + [
        demo_user(f"evaluateur{i}@demo.fabriques.fr", password, call=call, role=Role.EVALUATOR) for i in (2, 3)
    ]
    for dossier, place in to_evaluate:
        instruct(dossier, place=place, by=instructor)
        for person in evaluators:
            assignment_create(dossier=dossier, evaluator=person, by=admin)
    declared = Assignment.objects.get(dossier=to_evaluate[1][0], evaluator=evaluator)
    conflict_declare(assignment=declared, has_conflict=False, by=evaluator)
    return wave


def demo_applicant_draft(*, wave: Wave, applicant: User) -> None:
    """A complete draft of the demo applicant in the open wave, ready to deposit (once)."""
    if not wave.dossiers.filter(owner=applicant).exists():
        build_at(FIGEAC, wave=wave, owner=applicant, rng=random.Random(2021), deposit=False)  # nosec B311 - seeded demo data, not security
