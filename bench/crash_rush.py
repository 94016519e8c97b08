"""The deadline rush of bench/crash_safety.py: applicants' clients that deposit, retry and double-click.

Plain `http.client`, one connection per request (as browsers behind a proxy would reconnect), threads.
Each client owns one complete draft and plays one of four behaviours, drawn with the run's seed:

- once:       GET the deposit page, POST its signed key;
- double:     the same key POSTed twice at the same time (a double click);
- resend:     POST, then POST the same key again after the answer (reload, back + resubmit);
- redeposit:  deposit, then a second deposit with a fresh key (a new version is expected).

A POST that meets a connection error or a server error is retried with the same key until the patience
runs out: the server may or may not have committed it, and the key makes the retry idempotent.
"""

from __future__ import annotations

import html
import http.client
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
BEHAVIOURS = [("once", 0.4), ("double", 0.2), ("resend", 0.2), ("redeposit", 0.2)]


@dataclass
class Tally:
    """What the clients saw; shared by all threads (one lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    posts: int = 0
    acknowledged_posts: int = 0
    connection_errors: int = 0
    server_errors: int = 0
    refused: list[str] = field(default_factory=list)
    in_flight_posts: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # submission key -> dossier uuid
    acked: dict[str, float] = field(default_factory=dict)  # submission key -> time of the first acknowledgement
    gave_up: list[str] = field(default_factory=list)
    # key -> wall time at which the POST that got the acknowledgement started, when an earlier POST of the same key
    # (not a double click's twin) had lost its connection: was the deposit already committed by then?
    retried_after_cut: dict[str, float] = field(default_factory=dict)
    behaviours: dict[str, int] = field(default_factory=dict)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class UnreachableError(Exception):
    """No answer from the server (refused, reset, closed): retry."""


class Client:
    """One applicant, logged in with a session made by bench/generate.py."""

    def __init__(self, *, base_url: str, session: str, dossier: str, tally: Tally, patience: float, seed: int):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.dossier, self.tally, self.patience = dossier, tally, patience
        self.rng = random.Random(seed)
        csrf = "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=32))
        self.headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
                        "Referer": base_url + "/", "Connection": "close"}
        self.path = f"/dossiers/{dossier}/depot/"

    def _request(self, method: str, body: str | None = None) -> tuple[int, str, str]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, self.path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, response.getheader("Location", ""), text
        except (OSError, http.client.HTTPException) as exc:
            raise UnreachableError(str(exc)) from exc
        finally:
            conn.close()
            self.tally.add(requests=1)

    def _pause(self) -> None:
        time.sleep(self.rng.uniform(0.1, 0.4))

    def fetch_key(self, deadline: float) -> str | None:
        while time.monotonic() < deadline:
            try:
                status, _, text = self._request("GET")
            except UnreachableError:
                self.tally.add(connection_errors=1)
                self._pause()
                continue
            if status >= 500:
                self.tally.add(server_errors=1)
                self._pause()
                continue
            match = KEY.search(text)
            if status == 200 and match:
                return html.unescape(match.group(1))
            with self.tally.lock:
                self.tally.refused.append(f"GET {self.dossier}: {status}")
            return None
        return None

    def post_key(self, key: str, deadline: float, *, twin: bool = False) -> bool:
        """POST the key until the server acknowledges the deposit (302 to the dossier page) or patience ends."""
        with self.tally.lock:
            self.tally.keys[key] = self.dossier
        body = urlencode({"submission_key": key})
        cut = False
        while time.monotonic() < deadline:
            self.tally.add(posts=1, in_flight_posts=1)
            started = time.time()
            try:
                status, location, _ = self._request("POST", body)
            except UnreachableError:
                self.tally.add(connection_errors=1)
                cut = True
                self._pause()
                continue
            finally:
                self.tally.add(in_flight_posts=-1)
            if status == 302 and location.endswith(f"/dossiers/{self.dossier}/"):
                with self.tally.lock:
                    self.tally.acknowledged_posts += 1
                    if cut and not twin and key not in self.tally.acked:  # not a resend of an acknowledged key
                        self.tally.retried_after_cut[key] = started
                    self.tally.acked.setdefault(key, time.monotonic())
                return True
            if status >= 500:
                self.tally.add(server_errors=1)
                self._pause()
                continue
            with self.tally.lock:
                self.tally.refused.append(f"POST {self.dossier}: {status} {location}")
            return False
        return False

    def deposit(self, behaviour: str) -> None:
        deadline = time.monotonic() + self.patience
        key = self.fetch_key(deadline)
        if key is None:
            self._give_up("no deposit page")
            return
        if behaviour == "double":
            twin = threading.Thread(target=self.post_key, args=(key, deadline), kwargs={"twin": True})
            twin.start()
            ok = self.post_key(key, deadline, twin=True)
            twin.join()
            ok = ok and key in self.tally.acked
        else:
            ok = self.post_key(key, deadline)
            if ok and behaviour == "resend":
                ok = self.post_key(key, deadline)
            if ok and behaviour == "redeposit":
                second = self.fetch_key(deadline)
                ok = second is not None and self.post_key(second, deadline)
        if not ok:
            self._give_up(behaviour)

    def _give_up(self, why: str) -> None:
        with self.tally.lock:
            self.tally.gave_up.append(f"{self.dossier} ({why})")


def behaviour_for(rng: random.Random) -> str:
    return rng.choices([b for b, _ in BEHAVIOURS], weights=[w for _, w in BEHAVIOURS])[0]


def rush(*, base_url: str, applicants: list[dict], tally: Tally, concurrency: int, patience: float,
         seed: int) -> None:
    """Every applicant deposits at once (`concurrency` at a time); returns when all are done or gave up."""
    rng = random.Random(seed)
    plan = []
    for i, me in enumerate(applicants):
        behaviour = behaviour_for(rng)
        tally.behaviours[behaviour] = tally.behaviours.get(behaviour, 0) + 1
        client = Client(base_url=base_url, session=me["session"], dossier=me["dossier"], tally=tally,
                        patience=patience, seed=seed * 100_003 + i)
        plan.append((client, behaviour))
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(client.deposit, behaviour) for client, behaviour in plan]:
            future.result()
