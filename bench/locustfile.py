"""Load scenarios for locust (headless, loopback only), against a base made by bench/generate.py.

BENCH_SESSIONS: the JSON written by `generate.py --sessions-out` (logged-in sessions, dossiers, assignments).
Run with tags to pick a scenario:
  rush     applicants of the open wave autosave answers (htmx) and deposit again and again;
  deposit  applicants only deposit (GET the deposit page for its signed key, then POST it);
  deposit-fast  the same with locust's light HTTP client (FastHttpUser), which leaves more CPU to the server;
  click    the closing minute: applicants have the page open and click "Déposer" (POSTs of keys signed
           beforehand by bench/deposit_keys.py, BENCH_KEYS; each key one new version);
  agents   instructors and the admin browse, filter and sort the dashboard; evaluators open and save grids.
BENCH_HOSTS: comma-separated base URLs; each simulated user sticks to one (several app servers).

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 25 -t 60s -H http://127.0.0.1:8101 \
        --tags rush --csv /tmp/perf/rush --only-summary
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import string

from locust import FastHttpUser, HttpUser, constant, tag, task

DATA = json.loads(open(os.environ["BENCH_SESSIONS"], encoding="utf-8").read())  # noqa: SIM115 - read once at import
KEYS = json.loads(open(os.environ["BENCH_KEYS"], encoding="utf-8").read()) if os.environ.get(  # noqa: SIM115
    "BENCH_KEYS", "").endswith(".json") and os.path.exists(os.environ["BENCH_KEYS"]) else {}
HOSTS = [h for h in os.environ.get("BENCH_HOSTS", "").split(",") if h]
ROUND_ROBIN = os.environ.get("BENCH_ROUND_ROBIN") == "1"  # every request to the next server, not one per user
KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_applicants = itertools.count()
_evaluators = itertools.count()
_agents = itertools.count()
_hosts = itertools.count()
SORTS = ["-score", "-deposited", "reference", "amount", "-calibrated", "place", "region"]
STATES = ["", "in_evaluation", "evaluated", "deposited", "laureate"]


class Base(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        if HOSTS:
            self.client.base_url = HOSTS[next(_hosts) % len(HOSTS)]
        self.csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))

    def u(self, path: str) -> str:
        """The path, or with round robin the full URL on the next server (a user's requests alternate)."""
        if ROUND_ROBIN and HOSTS:
            return HOSTS[next(_hosts) % len(HOSTS)] + path
        return path

    def login_as(self, session: str) -> None:
        """A session made by generate.py: the cookies are set by hand (the server's are Secure, this is http)."""
        self.headers = {"Cookie": f"sessionid={session}; csrftoken={self.csrf}", "X-CSRFToken": self.csrf,
                        "Referer": self.client.base_url + "/"}


class Applicant(Base):
    """One applicant per draft of the open wave; saves answers and deposits the same dossier again."""

    weight = 1

    def on_start(self) -> None:
        super().on_start()
        me = DATA["applicants"][next(_applicants) % len(DATA["applicants"])]
        self.login_as(me["session"])
        self.dossier, self.criteria = me["dossier"], me["criteria"]
        self.versions = dict.fromkeys(self.criteria, 1)

    @tag("rush")
    @task(4)
    def autosave(self) -> None:
        code = random.choice(self.criteria)
        text = "Réponse enregistrée automatiquement pendant la saisie. " * random.randint(15, 50)
        with self.client.post(self.u(f"/dossiers/{self.dossier}/criteres/{code}/"), name="autosave answer",
                              data={"version": self.versions[code], "text": text},
                              headers={**self.headers, "HX-Request": "true"}, catch_response=True) as r:
            if r.status_code == 200:
                self.versions[code] += 1
            else:
                r.failure(f"status {r.status_code}")

    @tag("rush", "deposit")
    @task(1)
    def deposit(self) -> None:
        page = self.client.get(self.u(f"/dossiers/{self.dossier}/depot/"), name="deposit page", headers=self.headers)
        match = KEY.search(page.text)
        if not match:
            return
        with self.client.post(self.u(f"/dossiers/{self.dossier}/depot/"), name="deposit", allow_redirects=False,
                              data={"submission_key": match.group(1).replace("&quot;", '"')},
                              headers=self.headers, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"status {r.status_code}")


class Depositor(FastHttpUser):
    """The deposit scenario with locust's light HTTP client (geventhttpclient): the same page then POST as
    `Applicant.deposit`, for a load generator that takes less of the cores it shares with the server."""

    wait_time = constant(0)

    def on_start(self) -> None:
        if HOSTS:
            self.client.base_url = HOSTS[next(_hosts) % len(HOSTS)]
        me = DATA["applicants"][next(_applicants) % len(DATA["applicants"])]
        csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.headers = {"Cookie": f"sessionid={me['session']}; csrftoken={csrf}", "X-CSRFToken": csrf,
                        "Referer": self.client.base_url + "/"}
        self.dossier = me["dossier"]

    @tag("deposit-fast")
    @task
    def deposit(self) -> None:
        page = self.client.get(f"/dossiers/{self.dossier}/depot/", name="deposit page", headers=self.headers)
        match = KEY.search(page.text or "")
        if not match:
            return
        with self.client.post(f"/dossiers/{self.dossier}/depot/", name="deposit", allow_redirects=False,
                              data={"submission_key": match.group(1).replace("&quot;", '"')},
                              headers=self.headers, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"status {r.status_code}")


class Agent(Base):
    """Instructors (their région) and the admin (everything) on the dashboard."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        k = next(_agents)
        self.admin = k % 2 == 0
        self.login_as(DATA["admin"] if self.admin else DATA["instructors"][k % len(DATA["instructors"])])

    @tag("agents")
    @task(3)
    def dashboard_sorted(self) -> None:
        sort = random.choice(SORTS)
        self.client.get(self.u(f"/instruction/?sort={sort}&page={random.randint(1, 20)}"),
                        name="dashboard sort", headers=self.headers)

    @tag("agents")
    @task(3)
    def dashboard_filtered(self) -> None:
        region = random.choice(DATA["regions"])
        state = random.choice(STATES)
        self.client.get(self.u(f"/instruction/?sort=-score&region={region}&state={state}"), name="dashboard filter",
                        headers=self.headers)

    @tag("agents")
    @task(1)
    def dashboard_search(self) -> None:
        self.client.get(self.u(f"/instruction/?q=Tiers-lieu {random.randint(1, 20000)}"),
                        name="dashboard search", headers=self.headers)


class Evaluator(Base):
    """Evaluators open the grid of one of their draft evaluations and save a draft."""

    weight = 1

    def on_start(self) -> None:
        super().on_start()
        me = DATA["evaluators"][next(_evaluators) % len(DATA["evaluators"])]
        self.login_as(me["session"])
        self.assignments = me["assignments"]

    @tag("agents")
    @task(2)
    def grid(self) -> None:
        pk, _ = random.choice(self.assignments)
        self.client.get(self.u(f"/evaluation/affectations/{pk}/grille/"), name="evaluation grid", headers=self.headers)

    @tag("agents")
    @task(1)
    def grid_save(self) -> None:
        pk, track = random.choice(self.assignments)
        data = {"opinion": "favourable", "summary": "Projet solide, ancrage local réel.", "action": "draft"}
        for criterion in DATA["criteria_pks"][str(track)]:
            data[f"score_{criterion}"] = random.choice(["2", "3", "4"])
            data[f"comment_{criterion}"] = "Réponse précise et argumentée."
        with self.client.post(self.u(f"/evaluation/affectations/{pk}/grille/"), name="evaluation save", data=data,
                              headers=self.headers, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"status {r.status_code}")


class Clicker(FastHttpUser):
    """An applicant whose deposit page is open: POSTs its pre-signed keys one after the other (no think time)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        me = DATA["applicants"][next(_applicants) % len(DATA["applicants"])]
        csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.headers = {"Cookie": f"sessionid={me['session']}; csrftoken={csrf}", "X-CSRFToken": csrf,
                        "Referer": self.client.base_url + "/"}
        self.dossier = me["dossier"]
        self.keys = iter(KEYS.get(me["dossier"], []))

    @tag("click")
    @task
    def click(self) -> None:
        key = next(self.keys, None)
        if key is None:
            self.stop()
            return
        with self.client.post(f"/dossiers/{self.dossier}/depot/", name="deposit (POST, page already open)",
                              data={"submission_key": key}, headers=self.headers, allow_redirects=False,
                              catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"status {r.status_code}")
