"""Benchmark: autosave of one answer section with 20,000 dossiers in the database.

Run: .venv/bin/python bench/dossiers_autosave.py [--dossiers 20000] [--saves 600] [--seed 1]
     [--database-url postgres://postgres@/fabriques_bench_dossiers?host=/tmp&port=54329]

Without --database-url, a throwaway SQLite database under a temporary folder is used (never the
development database); with it, the PostgreSQL database must exist and be empty (it is migrated).
Population: 2,000 applicants, each with one organisation and 10 dossiers (20,000), 6 answers per
dossier (120,000 answers). Settings as in production (DEBUG off).
Timed, for random (user, dossier, criterion) triples:
  - "request": the htmx POST of an answer through Django's test client (URL routing, session and
    auth middleware, permission-scoped lookup, form, `answer_save`, status fragment) — an upper bound
    of the server time, without the network;
  - "req CPU": the CPU time of the process for the same requests (steadier on a shared machine);
  - "domain": `answer_save` alone.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(database_url: str | None) -> None:
    os.environ["FABRIQUES_VAR_DIR"] = tempfile.mkdtemp(prefix="fabriques-bench-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["FABRIQUES_DEBUG"] = "0"
    os.environ["FABRIQUES_SECRET_KEY"] = "bench-only-not-a-secret"  # noqa: S105 - throwaway database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)


def populate(n_dossiers: int, rng: random.Random):
    from django.db import transaction

    from fabriques.accounts.enums import OrganisationRole
    from fabriques.accounts.models import Organisation, OrganisationMember, User
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.demo.domain import demo_open_wave
    from fabriques.dossiers.models import Answer, Dossier

    call = call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call
    wave = demo_open_wave(call=call)
    tracks = list(call.tracks.all())
    criteria = list(call.criteria.order_by("position"))
    n_users = max(1, n_dossiers // 10)
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(email=f"porteur{i}@bench.example", password="!") for i in range(n_users)  # noqa: S106
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Association {i}", legal_form="association", siret="73282932000074", address="x")
            for i in range(n_users)
        )
        OrganisationMember.objects.bulk_create(
            OrganisationMember(organisation=o, user=u, role=OrganisationRole.OWNER)
            for u, o in zip(users, organisations, strict=True)
        )
        dossiers = Dossier.objects.bulk_create(
            (Dossier(uuid=uuid.uuid4(), reference=f"FDT-2026-{i:05d}", wave=wave, track=tracks[i % len(tracks)],
                     organisation=organisations[i % n_users], owner=users[i % n_users], place_name=f"Lieu {i}")
             for i in range(n_dossiers)),
            batch_size=2000,
        )
        Answer.objects.bulk_create(
            (Answer(dossier=d, criterion=c, text="Texte initial. " * rng.randint(5, 60), version=1,
                    updated_by=d.owner)
             for d in dossiers for c in criteria[:6]),
            batch_size=5000,
        )
    return users, criteria


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    print(f"{name:8s} n={len(ms)}  p50={statistics.median(ms):.1f} ms  p95={percentile(ms, 0.95):.1f} ms  "
          f"p99={percentile(ms, 0.99):.1f} ms  max={max(ms):.1f} ms")


def run(saves: int, users, criteria, rng: random.Random) -> None:
    from django.test import Client
    from django.urls import reverse

    from fabriques.dossiers import domain
    from fabriques.dossiers.models import Answer, Dossier

    client = Client()
    request_times, domain_times, request_cpu = [], [], []
    for round_index in range(saves // 10):
        user = rng.choice(users)
        client.force_login(user)
        own = list(Dossier.objects.filter(owner=user).values_list("uuid", flat=True))
        for _ in range(10):
            dossier_uuid = rng.choice(own)
            criterion = rng.choice(criteria[:8])  # some answers exist, some are created
            answer = Answer.objects.filter(dossier__uuid=dossier_uuid, criterion=criterion).first()
            url = reverse("dossiers:answer", args=[dossier_uuid, criterion.code])
            data = {"text": f"Réponse enregistrée {round_index}. " * rng.randint(10, 80),
                    "version": answer.version if answer else 0}
            start, cpu = time.perf_counter(), time.process_time()
            response = client.post(url, data, HTTP_HX_REQUEST="true", secure=True)
            request_times.append(time.perf_counter() - start)
            request_cpu.append(time.process_time() - cpu)
            assert response.status_code == 200, (response.status_code, dict(response.headers))
            assert b"Enregistr" in response.content, (response.status_code, dict(response.headers))
        dossier = Dossier.objects.select_related("wave").get(uuid=rng.choice(own))
        criterion = rng.choice(criteria[:6])
        version = Answer.objects.get(dossier=dossier, criterion=criterion).version
        start = time.perf_counter()
        domain.answer_save(dossier=dossier, criterion=criterion, text="Domaine seul.", base_version=version, by=user)
        domain_times.append(time.perf_counter() - start)
    report("request", request_times)
    report("req CPU", request_cpu)
    report("domain", domain_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20000)
    parser.add_argument("--saves", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection

    rng = random.Random(args.seed)
    start = time.perf_counter()
    users, criteria = populate(args.dossiers, rng)
    from fabriques.dossiers.models import Answer, Dossier

    print(f"database: {connection.vendor}; {Dossier.objects.count()} dossiers, {Answer.objects.count()} answers "
          f"(populated in {time.perf_counter() - start:.1f} s)")
    run(args.saves, users, criteria, rng)


if __name__ == "__main__":
    main()
