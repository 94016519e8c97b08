"""Benchmark: `assignments_auto` end to end on a database: 2,000 admissible dossiers, 150 evaluators.

Run: .venv/bin/python bench/evaluation_assignment_db.py [--dossiers 2000] [--evaluators 150] [--seed 1]
     [--database-url postgres://postgres@/fabriques_evaluation_bench?host=/tmp&port=54329]

Without --database-url, a throwaway SQLite database under a temporary folder is used (never the
development database); with it, the PostgreSQL database must exist and be empty (it is migrated).
Same population as bench/evaluation_assignment.py: evaluators cover one or both tracks and 1–4 régions
(a third national), about 2 % of the pairs carry a declared conflict (stored as conflict assignments).
Timed (wall and CPU: the machine is shared, CPU time is the steadier figure): the whole domain call —
read dossiers, scopes and assignments, solve, bulk-create the
assignments, one audit entry per dossier, admissible → in evaluation through `dossier_transition`
(audit + applicant e-mail) and one e-mail per evaluator (locmem backend), in one transaction.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94", "01", "02", "03", "04", "06"]


def setup(database_url: str | None) -> None:
    os.environ["FABRIQUES_VAR_DIR"] = tempfile.mkdtemp(prefix="fabriques-bench-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0)


def populate(n_dossiers: int, n_evaluators: int, rng: random.Random):
    from django.utils import timezone

    from fabriques.accounts.enums import Role
    from fabriques.accounts.models import CallRole, Organisation, User
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.demo.domain import demo_open_wave
    from fabriques.dossiers.enums import DossierState
    from fabriques.dossiers.models import Dossier
    from fabriques.evaluation.enums import AssignmentMethod, AssignmentState
    from fabriques.evaluation.models import Assignment, EvaluatorScope
    from fabriques.territory.models import Commune

    call = call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call
    wave = demo_open_wave(call=call)
    tracks = {t.slug: t for t in call.tracks.all()}
    communes = {
        r: Commune.objects.create(code=f"9{i:04d}", name=f"Commune {r}", departement_code=f"{i:02d}", region_code=r,
                                  latitude=46.0, longitude=2.0, search_name=f"commune {r}")
        for i, r in enumerate(REGIONS)
    }
    owner = User.objects.create_user("porteur@bench.example", "x")
    admin = User.objects.create_user("admin@bench.example", "x")
    CallRole.objects.create(user=admin, call=call, role=Role.ADMIN)
    organisation = Organisation.objects.create(name="Bench", legal_form="association", siret="73282932000074",
                                               address="1 rue")
    Dossier.objects.bulk_create(
        Dossier(wave=wave, track=tracks[rng.choice(["numerique", "territoire", "territoire"])],
                organisation=organisation, owner=owner, state=DossierState.ADMISSIBLE, reference=f"B-{i:05d}",
                place_name=f"Lieu {i}", place_commune=communes[rng.choice(REGIONS)])
        for i in range(n_dossiers)
    )
    evaluators = User.objects.bulk_create(
        User(email=f"eval{e}@bench.example", password="!") for e in range(n_evaluators)  # noqa: S106 - unusable password marker
    )
    CallRole.objects.bulk_create(CallRole(user=u, call=call, role=Role.EVALUATOR) for u in evaluators)
    scopes = []
    for e, user in enumerate(evaluators):
        chosen = rng.sample(["numerique", "territoire"], rng.choice([1, 2]))
        regions = [""] if e % 3 == 0 else rng.sample(REGIONS, rng.randint(1, 4))
        scopes += [EvaluatorScope(user=user, call=call, track=tracks[t], region_code=r) for t in chosen
                   for r in regions]
    EvaluatorScope.objects.bulk_create(scopes)
    now = timezone.now()
    dossier_ids = list(Dossier.objects.values_list("pk", flat=True))
    conflicts = [Assignment(dossier_id=d, evaluator=u, state=AssignmentState.CONFLICT,
                            method=AssignmentMethod.AUTO, assigned_at=now)
                 for d in dossier_ids for u in evaluators if rng.random() < 0.02]
    Assignment.objects.bulk_create(conflicts, batch_size=2000)
    return wave, admin, len(conflicts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--evaluators", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup(args.database_url)
    from django.core import mail
    from django.db import connection

    from fabriques.evaluation import assignments
    from fabriques.evaluation.assignments import assignments_auto

    solver = {"wall": 0.0, "cpu": 0.0}
    real_solver = assignments.assign_evaluators

    def timed_solver(**kwargs):  # times the solver inside the domain call, same function and arguments
        wall, cpu = time.perf_counter(), time.process_time()
        result = real_solver(**kwargs)
        solver["wall"] += time.perf_counter() - wall
        solver["cpu"] += time.process_time() - cpu
        return result

    assignments.assign_evaluators = timed_solver
    count = {"queries": 0}

    def counting(execute, sql, params, many, context):
        count["queries"] += 1
        return execute(sql, params, many, context)

    wave, admin, n_conflicts = populate(args.dossiers, args.evaluators, random.Random(args.seed))
    mail.outbox = []
    start, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counting):
        summary = assignments_auto(wave=wave, by=admin)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"database={connection.vendor} dossiers={summary.dossiers} evaluators={summary.evaluators} "
          f"conflicts={n_conflicts}")
    print(f"created={summary.created} shortfalls={sum(s.missing for s in summary.shortfalls)} "
          f"status={summary.status} load min={summary.min_load} max={summary.max_load} e-mails={len(mail.outbox)}")
    print(f"assignments_auto elapsed={elapsed:.2f} s wall, {cpu:.2f} s CPU of this process, "
          f"{count['queries']} SQL queries")
    print(f"  of which the solver: {solver['wall']:.2f} s wall, {solver['cpu']:.2f} s CPU; "
          f"reads and writes: {elapsed - solver['wall']:.2f} s wall, {cpu - solver['cpu']:.2f} s CPU")


if __name__ == "__main__":
    main()
