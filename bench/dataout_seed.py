"""Fast bulk generator for the data-out benchmarks: N deposited dossiers with answers, budget, attachments,
evaluations with scores on a share of them, consolidated scores and applied decisions on a few.

Rows are bulk-created directly (no domain functions: this is volume, not behaviour). Used by
bench/dataout_bench.py; can also be run alone:
    .venv/bin/python bench/dataout_seed.py --var-dir /tmp/fabriques-dataout --dossiers 20000
"""

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
TEXT = ("Le lieu accueille chaque semaine des habitants, des associations et des indépendants ; un comité "
        "d’usagers décide de la programmation et des règles communes. ")


def setup(var_dir: str, database_url: str | None) -> None:
    os.environ["FABRIQUES_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def populate(n: int, rng: random.Random, evaluated_share: float = 0.2):
    from django.core.management import call_command
    from django.utils import timezone

    from fabriques.accounts.enums import Role
    from fabriques.accounts.models import CallRole, Organisation, User
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.committee.models import Decision
    from fabriques.demo.domain import demo_open_wave
    from fabriques.dossiers.enums import DossierState as S
    from fabriques.dossiers.models import Answer, BudgetLine, Dossier, DossierAttachment
    from fabriques.evaluation.models import Assignment, DossierScore, Evaluation, Score
    from fabriques.instruction.models import Instruction, InstructionGroup
    from fabriques.territory.models import Commune

    call_command("migrate", verbosity=0)
    call = call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call
    wave = demo_open_wave(call=call)
    tracks = list(call.tracks.all())
    criteria = {t.pk: list(t.criteria.all()) for t in tracks}
    required = list(call.attachments.all()[:2])
    communes = [Commune.objects.create(code=f"{i + 10:02d}{i:03d}", name=f"Commune {r}", departement_code=f"{i + 10}",
                                       region_code=r, latitude=43 + i * 0.3, longitude=1 + i * 0.3,
                                       search_name=f"commune {r}") for i, r in enumerate(REGIONS)]
    owner = User.objects.create_user("porteur@bench.example", "x")
    admin = User.objects.create_user("admin@bench.example", "x")
    CallRole.objects.create(user=admin, call=call, role=Role.ADMIN)
    evaluators = User.objects.bulk_create(User(email=f"eval{e}@bench.example", password="!") for e in range(60))  # noqa: S106 - unusable password marker
    group = InstructionGroup.objects.create(call=call, slug="national", name="National", is_national=True)
    organisation = Organisation.objects.create(name="Bench", legal_form="association", siret="73282932000074",
                                               address="1 rue")
    now = timezone.now()
    states = [S.DEPOSITED, S.IN_INSTRUCTION, S.ADMISSIBLE, S.EVALUATED, S.LAUREATE, S.NOT_RETAINED]
    Dossier.objects.bulk_create((
        Dossier(wave=wave, track=rng.choice(tracks), organisation=organisation, owner=owner,
                state=rng.choice(states), reference=f"B-{i:06d}", place_name=f"Lieu {i}",
                place_commune=rng.choice(communes), amount_requested_eur=rng.randrange(50_000, 150_000, 1000),
                last_deposited_at=now - dt.timedelta(days=rng.randint(30, 90)), eligibility_status="pass")
        for i in range(n)), batch_size=2000)
    dossiers = list(Dossier.objects.values_list("pk", "track_id", "state"))
    Instruction.objects.bulk_create((Instruction(dossier_id=d, group=group, routed_at=now, is_rural=rng.random() < .5,
                                                 is_qpv=rng.random() < .3) for d, _, _ in dossiers), batch_size=5000)
    Answer.objects.bulk_create((Answer(dossier_id=d, criterion=c, text=TEXT * rng.randint(1, 4))
                                for d, t, _ in dossiers for c in criteria[t]), batch_size=5000)
    BudgetLine.objects.bulk_create((BudgetLine(dossier_id=d, year=y, kind=k, category="etat", label="Ligne",
                                               amount_eur=rng.randrange(1000, 50_000, 100))
                                    for d, _, _ in dossiers for y in (1, 2, 3) for k in ("charge", "resource")),
                                   batch_size=5000)
    DossierAttachment.objects.bulk_create((DossierAttachment(dossier_id=d, required=r, file=f"bench/{d}-{r.pk}",
                                                             original_name="statuts.pdf", size=12345,
                                                             sha256="0" * 64, detected_type="pdf")
                                           for d, _, _ in dossiers for r in required), batch_size=5000)
    evaluated = [(d, t, s) for d, t, s in dossiers if rng.random() < evaluated_share]
    Assignment.objects.bulk_create((Assignment(dossier_id=d, evaluator=e, state="active", method="auto",
                                               assigned_at=now)
                                    for d, _, _ in evaluated for e in rng.sample(evaluators, 3)), batch_size=5000)
    Evaluation.objects.bulk_create((Evaluation(assignment_id=a, state="submitted", opinion="favourable",
                                               submitted_at=now)
                                    for a in Assignment.objects.values_list("pk", flat=True)), batch_size=5000)
    track_of = {d: t for d, t, _ in dossiers}
    Score.objects.bulk_create((Score(evaluation_id=e, criterion=c, value=rng.choice([2, 2.5, 3, 3.5, 4]))
                               for e, d in Evaluation.objects.values_list("pk", "assignment__dossier_id")
                               for c in criteria[track_of[d]]), batch_size=5000)
    DossierScore.objects.bulk_create((DossierScore(dossier_id=d, n_evaluations=3, weighted=3.1, median=3.0,
                                                   spread=1.0, calibrated=3.05, band_low=2.8, band_high=3.3)
                                      for d, _, _ in evaluated), batch_size=5000)
    Decision.objects.bulk_create((Decision(dossier_id=d, outcome="laureate" if s == S.LAUREATE else "not_retained",
                                           amount_eur=60_000 if s == S.LAUREATE else None, reasons="-",
                                           staged_by=admin, staged_at=now, applied_at=now, applied_by=admin)
                                  for d, _, s in dossiers if s in (S.LAUREATE, S.NOT_RETAINED)), batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum/`PRAGMA optimize` would give
        cursor.execute("ANALYZE")
    return wave, admin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--dossiers", type=int, default=20_000)
    args = parser.parse_args()
    setup(args.var_dir, args.database_url)
    populate(args.dossiers, random.Random(7))


if __name__ == "__main__":
    main()
