"""The peer: pretalx (PyPI), seeded with N proposals and 3 reviews each, its review dashboard timed in-process.

Runs in its OWN virtualenv, never in the project's (not committed, not a dependency):
    python3.11 -m venv $PEER_VENV && $PEER_VENV/bin/pip install pretalx     # PEER_VENV: any folder, e.g. under /tmp
    PRETALX_DATA_DIR=/tmp/pretalx-data $PEER_VENV/bin/python bench/peers/pretalx_seed.py seed --proposals 5000
    PRETALX_DATA_DIR=/tmp/pretalx-data $PEER_VENV/bin/python bench/peers/pretalx_seed.py time --repeat 10
`time` prints one JSON line: wall and CPU milliseconds of each GET of /orga/event/bench/reviews/ (as an
administrator of the event, DEBUG off, SQLite), after one warm-up request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import time
from decimal import Decimal

WORDS = ["tiers-lieu", "fabrique", "atelier", "numérique", "coopération", "territoire", "usagers", "formation",
         "réemploi", "gouvernance", "inclusion", "jeunesse", "ruralité", "médiation", "partage", "outils", "commun"]


def setup() -> None:
    os.environ.setdefault("PRETALX_DATA_DIR", "/tmp/pretalx-data")  # noqa: S108 - throwaway peer data
    os.environ.setdefault("PRETALX_DEBUG", "False")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pretalx.settings")
    os.makedirs(os.environ["PRETALX_DATA_DIR"], exist_ok=True)
    import django

    django.setup()


def seed(n: int, seed_value: int) -> None:
    from django.core.management import call_command
    from django.utils.timezone import now
    from django_scopes import scopes_disabled
    from pretalx.event.models import Event, Organiser, Team
    from pretalx.person.models import User
    from pretalx.submission.models import Review, ReviewScore, ReviewScoreCategory, Submission
    from pretalx.submission.models.submission import SpeakerRole

    rng = random.Random(seed_value)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with scopes_disabled():
        organiser = Organiser.objects.create(name="Bench", slug="bench")
        today = now().date()
        event = Event.objects.create(name="AMI Bench", slug="bench", organiser=organiser, email="orga@bench.example",
                                     date_from=today + dt.timedelta(days=60), date_to=today + dt.timedelta(days=62))
        event.build_initial_data()
        admin = User.objects.create_user(email="admin@bench.example", password="bench-mot-de-passe-42",  # noqa: S106
                                         name="Admin", code="ADMIN1")
        team = Team.objects.create(organiser=organiser, name="Orga", all_events=True, can_change_submissions=True,
                                   can_change_event_settings=True, is_reviewer=True, can_change_teams=True)
        team.members.add(admin)
        reviewers = User.objects.bulk_create(
            User(email=f"reviewer{i}@bench.example", name=f"Reviewer {i}", code=f"R{i:05d}", password="!")  # noqa: S106
            for i in range(60))
        rteam = Team.objects.create(organiser=organiser, name="Reviewers", all_events=True, is_reviewer=True)
        rteam.members.add(*reviewers)
        speakers = User.objects.bulk_create(
            (User(email=f"speaker{i}@bench.example", name=f"Speaker {i}", code=f"S{i:06d}", password="!")  # noqa: S106
             for i in range(n)), batch_size=2000)
        stype = event.cfp.default_type
        text = [" ".join(rng.choices(WORDS, k=rng.randint(120, 450))) for _ in range(256)]
        subs = Submission.objects.bulk_create(
            (Submission(event=event, code=f"B{i:06d}", title=f"Tiers-lieu {i}", submission_type=stype,
                        state="submitted", abstract=rng.choice(text)[:1000], description=rng.choice(text),
                        content_locale="en")
             for i in range(n)), batch_size=2000)
        SpeakerRole.objects.bulk_create((SpeakerRole(submission=s, user=u) for s, u in zip(subs, speakers,
                                                                                           strict=True)),
                                        batch_size=2000)
        category = ReviewScoreCategory.objects.filter(event=event).first() or ReviewScoreCategory.objects.create(
            event=event, name="Score")
        scores = list(ReviewScore.objects.filter(category=category))
        if not scores:
            scores = [ReviewScore.objects.create(category=category, value=v, label=str(v)) for v in range(5)]
        reviews = Review.objects.bulk_create(
            (Review(submission=s, user=r, text="Avis argumenté.", score=Decimal(rng.choice(scores).value))
             for s in subs for r in rng.sample(reviewers, 3)), batch_size=2000)
        through = Review.scores.through
        through.objects.bulk_create((through(review_id=r.pk, reviewscore_id=rng.choice(scores).pk) for r in reviews),
                                    batch_size=2000)
    print(f"pretalx seeded: {n} proposals, {len(reviews)} reviews in {time.perf_counter() - started:.1f} s")


def time_dashboard(repeat: int, path: str) -> None:
    from django.test import Client
    from pretalx.person.models import User

    client = Client()
    client.force_login(User.objects.get(email="admin@bench.example"))
    first = client.get(path)
    assert first.status_code == 200, first.status_code
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        response = client.get(path)
        walls.append(1000 * (time.perf_counter() - w))
        cpus.append(1000 * (time.process_time() - c))
    print(json.dumps({"tool": "pretalx", "path": path, "bytes": len(response.content), "wall_ms": walls,
                      "cpu_ms": cpus}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["seed", "time"])
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--path", default="/orga/event/bench/reviews/")
    args = parser.parse_args()
    setup()
    if args.action == "seed":
        seed(args.proposals, args.seed)
    else:
        time_dashboard(args.repeat, args.path)


if __name__ == "__main__":
    main()
