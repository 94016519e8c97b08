"""Realistic volume for the load runs: N dossiers of the AMI Tiers-lieux across real communes, deterministic.

Rows are bulk-created straight on the models (volume, not behaviour: no domain function, no audit entry,
no e-mail). What is written, for a seed S and N dossiers:

- the call definition, a closed wave holding the N deposited dossiers (all states from `deposited` to the
  committee's decisions) and an open wave holding `--drafts` complete drafts (for the deadline rush);
- applicants (one organisation each, two dossiers each on average), an admin, one instructor per région
  group plus a national group, evaluators (one per 20 dossiers);
- per dossier: place in a real commune, 12 answers of 800–3,000 characters, a balanced 3-year budget,
  one attachment row per required piece (all pointing to one shared placeholder file);
- instruction rows (group, completeness, admissibility), 3 assignments + evaluations with a score per
  criterion for every dossier that reached evaluation, the stored DossierScore, applied decisions;
- with `--sessions-out FILE`: a logged-in session per bench user (so the load runs skip the log-in form),
  written as JSON. The sessions are signed with FABRIQUES_SECRET_KEY: use the server's key.

    .venv/bin/python bench/generate.py --dossiers 20000 --seed 1 --fresh --var-dir /tmp/fabriques-perf
    .venv/bin/python bench/generate.py --dossiers 20000 --seed 1 --fresh \
        --database-url "postgres://postgres@/fabriques_perf?host=/tmp&port=54329"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMUNES_CSV = ROOT / "src" / "fabriques" / "territory" / "reference" / "communes" / "communes_2022_centroids.csv.gz"
PASSWORD = "bench-mot-de-passe-42"  # noqa: S105 - throwaway accounts of a benchmark database
BATCH = 2000

PHRASES = [
    "Le lieu accueille chaque semaine des habitants du quartier, des associations et des travailleurs indépendants.",
    "Un comité d’usagers se réunit tous les mois pour décider de la programmation et des règles de vie communes.",
    "Nous animons des ateliers de réparation, de fabrication numérique et d’accompagnement aux démarches en ligne.",
    "Les partenaires locaux, la commune et l’intercommunalité soutiennent le projet depuis son lancement en 2019.",
    "La Fabrique mettra ses outils et ses méthodes à disposition des autres tiers-lieux du département.",
    "Les recettes propres proviennent de la location d’espaces, des formations et de prestations de services.",
    "Nous documentons nos pratiques sous licence libre pour qu’elles puissent être reprises ailleurs.",
    "Des formations certifiantes sont proposées avec les organismes de formation du bassin d’emploi.",
    "L’équipe salariée compte trois personnes, épaulées par une vingtaine de bénévoles réguliers.",
    "Un espace de coworking de quarante postes est ouvert du lundi au samedi, avec une cuisine partagée.",
    "Le fablab dispose de deux imprimantes 3D, d’une découpeuse laser et d’un atelier bois complet.",
    "Les jeunes accompagnés par la mission locale y trouvent un premier lieu d’expérience professionnelle.",
    "Nous mesurons chaque trimestre la fréquentation, la diversité des publics et les projets incubés.",
    "La gouvernance associe les usagers, les salariés et les collectivités au sein d’une SCIC.",
    "Le modèle économique vise l’équilibre en trois ans grâce à la montée en charge des prestations.",
    "Une permanence France services est assurée deux demi-journées par semaine dans nos locaux.",
]
# Closed wave: share of the N dossiers in each state (the rest of the lifecycle is reached by fewer).
STATE_SHARES = [
    ("deposited", 0.10), ("in_instruction", 0.08), ("complements_requested", 0.02), ("admissible", 0.05),
    ("inadmissible", 0.05), ("in_evaluation", 0.20), ("evaluated", 0.20), ("laureate", 0.10),
    ("waiting_list", 0.05), ("not_retained", 0.15),
]
EVALUATED_STATES = {"in_evaluation", "evaluated", "laureate", "waiting_list", "not_retained"}
SUBMITTED_EVAL_STATES = EVALUATED_STATES - {"in_evaluation"}
DECIDED_ADMISSIBILITY = {"admissible", "inadmissible"} | EVALUATED_STATES


def setup(*, var_dir: str, database_url: str | None, fresh: bool) -> None:
    os.environ["FABRIQUES_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("FABRIQUES_DEBUG", "0")
    os.environ.setdefault("FABRIQUES_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if fresh:
        _drop_database(var_dir, database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _drop_database(var_dir: str, database_url: str | None) -> None:
    """Start from an empty database: delete the SQLite file, or drop and create the PostgreSQL database."""
    if not database_url:
        for suffix in ("", "-wal", "-shm"):
            Path(var_dir, f"fabriques.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    options = cfg.get("OPTIONS", {})
    with psycopg.connect(dbname="postgres", user=cfg["USER"], host=cfg["HOST"] or options.get("host"),
                         port=cfg["PORT"] or options.get("port"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


class Timer:
    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.cpu = self.cpu_start = time.process_time()
        self.steps: list[tuple[str, float]] = []

    def step(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.steps.append((name, now - self.last))
        print(f"  {name:<44} {now - self.last:7.2f} s wall {cpu - self.cpu:7.2f} s CPU", flush=True)
        self.last, self.cpu = now, cpu


def answer_pool(rng: random.Random, size: int = 1024) -> list[str]:
    """Texts of 800 to 3,000 characters made of whole sentences."""
    pool = []
    for _ in range(size):
        target, parts, length = rng.randint(800, 3000), [], 0
        while length < target:
            phrase = rng.choice(PHRASES)
            parts.append(phrase)
            length += len(phrase) + 1
        pool.append(" ".join(parts)[:3000])
    return pool


def budget_rows(dossier_id: int, rng: random.Random, per_year: int) -> list[tuple]:
    """Three balanced years: staff + operations = State + own revenue (+ a co-funder one year in two)."""
    rows = []
    for year in (1, 2, 3):
        own = rng.randrange(10, 80) * 1000
        cofunding = rng.randrange(0, 40) * 1000 if rng.random() < 0.5 else 0
        total = per_year + own + cofunding
        staff = total * 6 // 10
        rows += [
            (dossier_id, year, "charge", "personnel", "Salaires et charges", staff, False, ""),
            (dossier_id, year, "charge", "fonctionnement", "Fonctionnement du lieu", total - staff, False, ""),
            (dossier_id, year, "resource", "etat", "Aide demandée à l’État", per_year, True, ""),
            (dossier_id, year, "resource", "propres", "Recettes propres", own, False, ""),
        ]
        if cofunding:
            rows.append((dossier_id, year, "resource", "cofinancement", "Région", cofunding, False, "Conseil régional"))
    return rows


def fast_insert(model, fields: list[str], rows) -> int:
    """INSERT rows (tuples in `fields` order) with executemany: the ORM's per-instance cost is most of
    bulk_create's time on the big child tables (answers, budget lines, scores)."""
    from django.db import connection

    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    sql = 'INSERT INTO {} ({}) VALUES ({})'.format(  # noqa: S608 - names from the model's meta, values bound
        connection.ops.quote_name(meta.db_table), ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)))
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def generate(*, n: int, drafts: int, seed: int) -> dict:  # noqa: PLR0915 - one linear script, step by step
    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from fabriques.accounts.enums import OrganisationRole, Role
    from fabriques.accounts.models import CallRole, Organisation, OrganisationMember, User
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file
    from fabriques.calls.models import Call, Wave
    from fabriques.committee.models import Decision
    from fabriques.demo.builders import MINIMAL_PDF, siret_for
    from fabriques.dossiers.models import Answer, BudgetLine, Dossier, DossierAttachment
    from fabriques.evaluation.models import Assignment, DossierScore, Evaluation, Score, WaveEvaluationSettings
    from fabriques.instruction.models import Instruction, InstructionGroup, RoutingRule
    from fabriques.territory.models import Commune

    rng = random.Random(seed)
    timer = Timer()
    call_command("migrate", verbosity=0)
    timer.step("migrate")
    if not Commune.objects.exists():
        call_command("import_communes", str(COMMUNES_CSV), verbosity=0)
        timer.step("import communes (once per database)")
    if Dossier.objects.exists():
        raise SystemExit("The database already holds dossiers: use --fresh (or an empty database).")
    call = Call.objects.filter(slug="ami-tiers-lieux-2019").first() or call_load_file(
        path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call
    now = timezone.now()
    closed = Wave.objects.create(call=call, slug="bench-close", title="Vague de mesure (close)",
                                 opens_at=now - dt.timedelta(days=120), closes_at=now - dt.timedelta(days=60),
                                 envelope_eur=30_000_000, max_laureates=n // 10, is_demo=True)
    open_wave = Wave.objects.create(call=call, slug="bench-ouverte", title="Vague de mesure (ouverte)",
                                    opens_at=now - dt.timedelta(days=30), closes_at=now + dt.timedelta(days=7),
                                    envelope_eur=30_000_000, is_demo=True)
    WaveEvaluationSettings.objects.get_or_create(wave=closed)
    tracks = list(call.tracks.order_by("position"))
    criteria = {t.pk: list(t.criteria.order_by("position")) for t in tracks}
    weights = {c.pk: float(c.weight) for cs in criteria.values() for c in cs}
    required = {t.pk: list(t.attachments.filter(required=True).order_by("position")) for t in tracks}
    legal_form = call.legal_forms.order_by("position").values_list("code", flat=True).first()
    communes = list(Commune.objects.exclude(region_code="").order_by("code").values_list(
        "pk", "region_code", "latitude", "longitude"))
    regions = sorted({c[1] for c in communes})
    default_storage.save("bench/placeholder.pdf", ContentFile(MINIMAL_PDF)) if not default_storage.exists(
        "bench/placeholder.pdf") else None
    timer.step("call, waves, reference rows")

    with transaction.atomic():
        hashed = make_password(PASSWORD)
        n_applicants = max(1, n // 2) + drafts
        n_evaluators = max(30, n // 20)
        emails = ([f"porteur{i}@bench.example" for i in range(n_applicants)]
                  + [f"evaluateur{i}@bench.example" for i in range(n_evaluators)]
                  + [f"instructeur-{r}@bench.example" for r in regions] + ["admin@bench.example"])
        User.objects.bulk_create((User(email=e, password=hashed) for e in emails), batch_size=BATCH)
        user_id = dict(User.objects.filter(email__endswith="@bench.example").values_list("email", "pk"))
        applicants = [user_id[f"porteur{i}@bench.example"] for i in range(n_applicants)]
        evaluators = [user_id[f"evaluateur{i}@bench.example"] for i in range(n_evaluators)]
        admin_id = user_id["admin@bench.example"]
        roles = [CallRole(user_id=u, call=call, role=Role.EVALUATOR) for u in evaluators]
        roles += [CallRole(user_id=user_id[f"instructeur-{r}@bench.example"], call=call, role=Role.INSTRUCTOR)
                  for r in regions]
        roles += [CallRole(user_id=admin_id, call=call, role=Role.ADMIN)]
        CallRole.objects.bulk_create(roles, batch_size=BATCH)
        national = InstructionGroup.objects.create(call=call, slug="national", name="Groupe national",
                                                   is_national=True)
        groups = {r: InstructionGroup.objects.create(call=call, slug=f"region-{r}", name=f"Région {r}")
                  for r in regions}
        RoutingRule.objects.bulk_create(RoutingRule(group=g, region_code=r) for r, g in groups.items())
        for r, g in groups.items():
            g.members.add(user_id[f"instructeur-{r}@bench.example"])
        home = [rng.choice(communes) for _ in range(n_applicants)]
        Organisation.objects.bulk_create((
            Organisation(name=f"Association du tiers-lieu {i}", legal_form=legal_form,
                         siret=siret_for(10**12 + seed * 10**7 + i), address=f"{1 + i % 90} place de la Mairie",
                         commune_id=home[i][0])
            for i in range(n_applicants)), batch_size=BATCH)
        org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))[-n_applicants:]
        OrganisationMember.objects.bulk_create((
            OrganisationMember(organisation_id=o, user_id=u, role=OrganisationRole.OWNER)
            for o, u in zip(org_ids, applicants, strict=True)), batch_size=BATCH)
        timer.step(f"{len(emails):,} users, {n_applicants:,} organisations, groups")

        # Dossiers: closed wave first (owners 0 .. n/2-1, two each on average), then one draft per rush applicant.
        states = rng.choices([s for s, _ in STATE_SHARES], weights=[w for _, w in STATE_SHARES], k=n)
        plan = []  # (wave, track, applicant index, state)
        for i in range(n):
            plan.append((closed, rng.choice(tracks), rng.randrange(max(1, n // 2)), states[i]))
        for j in range(drafts):
            plan.append((open_wave, rng.choice(tracks), max(1, n // 2) + j, "draft"))
        dossiers = []
        for i, (wave, track, a, state) in enumerate(plan):
            commune = rng.choice(communes) if rng.random() < 0.7 else home[a]
            deposited_at = None if state == "draft" else closed.closes_at - dt.timedelta(
                minutes=int(rng.expovariate(1 / 2880)))
            dossiers.append(Dossier(
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4), wave=wave, track=track,
                organisation_id=org_ids[a], owner_id=applicants[a], state=state,
                state_changed_at=deposited_at or now, reference=f"FDT-B-{i + 1:06d}",
                place_name=f"Tiers-lieu {i + 1}", place_status=rng.choice(["existing", "project"]),
                place_address=f"{rng.randrange(1, 200)} rue de la République", place_commune_id=commune[0],
                place_latitude=commune[2] + rng.uniform(-0.01, 0.01),
                place_longitude=commune[3] + rng.uniform(-0.01, 0.01),
                eligibility_status=rng.choices(["pass", "manual", "fail"], weights=[85, 10, 5])[0],
                amount_requested_eur=0, last_deposited_at=deposited_at, content_version=12, budget_version=1,
                place_version=1,
            ))
        Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        rows = list(Dossier.objects.order_by("pk").values_list("pk", "uuid", "track_id", "state", "wave_id",
                                                               "place_commune__region_code", "owner_id"))
        timer.step(f"{len(rows):,} dossiers")

        pool = answer_pool(rng)
        stamp = connection.ops.adapt_datetimefield_value(now)
        uuid_db = DossierAttachment._meta.get_field("uuid").get_db_prep_value
        fast_insert(Answer, ["dossier", "criterion", "text", "version", "updated_by", "updated_at"], (
            (d, c.pk, pool[rng.randrange(len(pool))], 1, o, stamp)
            for d, _, t, _, _, _, o in rows for c in criteria[t]))
        timer.step(f"{sum(len(criteria[r[2]]) for r in rows):,} answers")

        amounts, lines = {}, []
        for d, *_ in rows:
            per_year = rng.randrange(17, 51) * 1000
            amounts[d] = 3 * per_year
            lines += budget_rows(d, rng, per_year)
        fast_insert(BudgetLine, ["dossier", "year", "kind", "category", "label", "amount_eur", "is_state_request",
                                 "cofunder"], lines)
        by_amount: dict[int, list[int]] = {}
        for d, amount in amounts.items():
            by_amount.setdefault(amount, []).append(d)
        for amount, ids in by_amount.items():  # ≤ 34 distinct amounts: one UPDATE each
            Dossier.objects.filter(pk__in=ids).update(amount_requested_eur=amount)
        timer.step(f"{len(lines):,} budget lines")

        fast_insert(DossierAttachment, ["dossier", "uuid", "required", "file", "original_name", "size", "sha256",
                                        "detected_type", "scan_state", "uploaded_by", "uploaded_at"], (
            (d, uuid_db(uuid.UUID(int=rng.getrandbits(128), version=4), connection), r.pk,
             "bench/placeholder.pdf", f"{r.code}.pdf", len(MINIMAL_PDF), "0" * 64, "pdf", "not_scanned", o, stamp)
            for d, _, t, _, _, _, o in rows for r in required[t]))
        timer.step("attachment rows")

        submitted = [r for r in rows if r[3] != "draft"]
        Instruction.objects.bulk_create((
            Instruction(dossier_id=d, group=groups.get(region, national), routed_at=now,
                        decision=("inadmissible" if s == "inadmissible" else "admissible")
                        if s in DECIDED_ADMISSIBILITY else "",
                        decided_by_id=admin_id if s in DECIDED_ADMISSIBILITY else None,
                        decided_at=now if s in DECIDED_ADMISSIBILITY else None,
                        is_rural=rng.random() < 0.45, is_qpv=rng.random() < 0.25,
                        checklist_status="pending" if s in ("deposited", "complements_requested") else "ok")
            for d, _, _, s, _, region, _ in submitted), batch_size=BATCH)
        timer.step(f"{len(submitted):,} instructions")

        evaluated = [r for r in submitted if r[3] in EVALUATED_STATES]
        Assignment.objects.bulk_create((
            Assignment(dossier_id=r[0], evaluator_id=e, state="active", method="auto", assigned_by_id=admin_id,
                       assigned_at=now)
            for r in evaluated for e in rng.sample(evaluators, 3)), batch_size=BATCH)
        state_of = {r[0]: r[3] for r in evaluated}
        assignments = list(Assignment.objects.order_by("pk").values_list("pk", "dossier_id"))
        opinions = ["favourable", "reserved", "unfavourable"]
        Evaluation.objects.bulk_create((
            Evaluation(assignment_id=a, state="submitted" if state_of[d] in SUBMITTED_EVAL_STATES else "draft",
                       opinion=rng.choice(opinions), summary=pool[rng.randrange(len(pool))][:600],
                       submitted_at=now if state_of[d] in SUBMITTED_EVAL_STATES else None)
            for a, d in assignments), batch_size=BATCH)
        evaluations = list(Evaluation.objects.order_by("pk").values_list("pk", "assignment__dossier_id",
                                                                         "assignment__dossier__track_id"))
        timer.step(f"{len(assignments):,} assignments and evaluations")

        totals: dict[int, list[float]] = {}
        score_rows = []
        for e, d, t in evaluations:
            bias = rng.gauss(0, 0.4)
            values = [(c.pk, min(4.0, max(0.0, round((2.6 + bias + rng.gauss(0, 0.6)) * 2) / 2))) for c in criteria[t]]
            score_rows += [(e, c, Decimal(str(v)), "") for c, v in values]
            weight = sum(weights[c] for c, _ in values)
            totals.setdefault(d, []).append(sum(weights[c] * v for c, v in values) / weight)
        fast_insert(Score, ["evaluation", "criterion", "value", "comment"], score_rows)
        timer.step(f"{len(score_rows):,} scores")

        scored = [(d, v) for d, v in totals.items() if state_of[d] in SUBMITTED_EVAL_STATES]
        DossierScore.objects.bulk_create((
            DossierScore(dossier_id=d, n_evaluations=len(v), weighted=round(statistics.fmean(v), 3),
                         median=statistics.median(v), spread=round(max(v) - min(v), 3),
                         std=round(statistics.pstdev(v), 3), disagreement=max(v) - min(v) >= 1.5,
                         opinions={"favourable": 2, "reserved": 1},
                         calibrated=round(statistics.fmean(v) + rng.gauss(0, 0.1), 3),
                         band_low=round(statistics.fmean(v) - 0.3, 3), band_high=round(statistics.fmean(v) + 0.3, 3))
            for d, v in scored), batch_size=BATCH)
        outcome = {"laureate": "laureate", "waiting_list": "waiting_list", "not_retained": "not_retained"}
        Decision.objects.bulk_create((
            Decision(dossier_id=r[0], outcome=outcome[r[3]],
                     amount_eur=amounts[r[0]] if r[3] == "laureate" else None,
                     waiting_rank=k + 1 if r[3] == "waiting_list" else None,
                     reasons="Projet classé par le comité au regard des critères de l’appel.",
                     staged_by_id=admin_id, staged_at=now, applied_by_id=admin_id, applied_at=now)
            for k, r in enumerate(r for r in submitted if r[3] in outcome)), batch_size=BATCH)
        timer.step(f"{len(scored):,} dossier scores, decisions")

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum/`PRAGMA optimize` would give
        cursor.execute("ANALYZE")
    timer.step("ANALYZE")
    total = time.perf_counter() - timer.start
    print(f"  {'total':<44} {total:7.2f} s wall {time.process_time() - timer.cpu_start:7.2f} s CPU", flush=True)
    after_setup = sum(t for name, t in timer.steps if not name.startswith(("migrate", "import communes")))
    print(f"  {'total without migrate and communes':<44} {after_setup:7.2f} s wall", flush=True)
    return {"rows": rows, "user_id": user_id, "criteria": criteria, "open_wave": open_wave, "total": total,
            "evaluators": evaluators, "regions": regions, "n_applicants": n_applicants, "n": n}


def existing_data() -> dict:
    """What write_sessions needs, read back from a generated database."""
    from fabriques.accounts.models import User
    from fabriques.calls.models import Call, Wave
    from fabriques.dossiers.models import Dossier
    from fabriques.instruction.models import RoutingRule

    call = Call.objects.get(slug="ami-tiers-lieux-2019")
    open_wave = Wave.objects.get(call=call, slug="bench-ouverte")
    rows = list(Dossier.objects.filter(wave=open_wave).order_by("pk").values_list(
        "pk", "uuid", "track_id", "state", "wave_id", "place_commune__region_code", "owner_id"))
    return {"rows": rows, "open_wave": open_wave,
            "criteria": {t.pk: list(t.criteria.order_by("position")) for t in call.tracks.all()},
            "user_id": dict(User.objects.filter(email__endswith="@bench.example").values_list("email", "pk")),
            "regions": sorted(RoutingRule.objects.filter(group__call=call).values_list("region_code", flat=True))}


def write_sessions(path: Path, data: dict) -> None:
    """One logged-in session per rush applicant, instructor, evaluator and the admin, as JSON."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from fabriques.accounts.models import User
    from fabriques.evaluation.models import Assignment
    from fabriques.security.second_factor import SESSION_KEY as SECOND_FACTOR_SESSION_KEY

    backend = settings.AUTHENTICATION_BACKENDS[1]
    users = {u.pk: u for u in User.objects.filter(email__endswith="@bench.example")}
    expire = timezone.now() + dt.timedelta(days=2)
    sessions, keys = [], {}
    store = SessionStore()

    def session_for(user_id: int) -> str:
        key = f"bench{user_id:010d}{'x' * 22}"[:32]
        user = users[user_id]
        # The second-factor facts a password log-in records (no TOTP on bench accounts): without them the first
        # request of each session recorded them and wrote the session, which a real log-in had already done.
        payload = {"_auth_user_id": str(user.pk), "_auth_user_backend": backend,
                   "_auth_user_hash": user.get_session_auth_hash(),
                   SECOND_FACTOR_SESSION_KEY: {"passed": False, "holds": False}}
        sessions.append(Session(session_key=key, session_data=store.encode(payload), expire_date=expire))
        keys[user_id] = key
        return key

    codes = {t: [c.code for c in cs] for t, cs in data["criteria"].items()}
    drafts = [r for r in data["rows"] if r[4] == data["open_wave"].pk]
    out = {
        "applicants": [{"session": session_for(o), "dossier": str(u), "criteria": codes[t]}
                       for _, u, t, _, _, _, o in drafts],
        "admin": session_for(data["user_id"]["admin@bench.example"]),
        "instructors": [session_for(data["user_id"][f"instructeur-{r}@bench.example"]) for r in data["regions"]],
        "regions": data["regions"],
        "evaluators": [],
    }
    draft_assignments: dict[int, list[list[int]]] = {}
    for pk, evaluator, track in Assignment.objects.filter(evaluation__state="draft").values_list(
            "pk", "evaluator_id", "dossier__track_id"):
        draft_assignments.setdefault(evaluator, []).append([pk, track])
    for evaluator, pks in sorted(draft_assignments.items()):
        out["evaluators"].append({"session": session_for(evaluator), "assignments": pks[:20]})
    out["criteria_pks"] = {str(t): [c.pk for c in cs] for t, cs in data["criteria"].items()}
    Session.objects.filter(session_key__in=[s.session_key for s in sessions]).delete()
    Session.objects.bulk_create(sessions, batch_size=BATCH)
    path.write_text(json.dumps(out))
    print(f"  {len(sessions):,} sessions written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--drafts", type=int, default=None, help="complete drafts in the open wave (default N/4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--var-dir", default="/tmp/fabriques-perf",  # noqa: S108 - throwaway benchmark data
                        help="SQLite file and media (without --database-url)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--sessions-out", type=Path)
    parser.add_argument("--sessions-only", action="store_true", help="only (re)write the sessions of a generated base")
    args = parser.parse_args()
    drafts = args.drafts if args.drafts is not None else min(5000, max(50, args.dossiers // 4))
    setup(var_dir=args.var_dir, database_url=args.database_url, fresh=args.fresh)
    from django.db import connection

    if not args.sessions_only:
        print(f"Generating {args.dossiers:,} dossiers + {drafts:,} drafts, seed {args.seed}, on {connection.vendor}")
    data = existing_data() if args.sessions_only else generate(n=args.dossiers, drafts=drafts, seed=args.seed)
    if args.sessions_out:
        write_sessions(args.sessions_out, data)


if __name__ == "__main__":
    main()
