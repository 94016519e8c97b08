"""Shared fixtures: the 2019 call loaded from its definition, users per role, the browser."""

import os
from pathlib import Path

import pytest

from fabriques.accounts.enums import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# that by default. Tests drive the browser and the database one after the other.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The reference data shipped with the project (never a folder outside the clone); small fixtures in tests/data.
REFERENCE = Path(__file__).resolve().parents[1] / "src" / "fabriques" / "territory" / "reference"
COMMUNES_CSV = REFERENCE / "communes" / "communes_2022_centroids.csv.gz"
QPV_2024 = REFERENCE / "qpv" / "qpv2024_anct_simplified.geojson.gz"
QPV_2015_OCCITANIE = REFERENCE / "qpv" / "qpv2015_occitanie_hackaviz2021.geojson.gz"
TIERS_LIEUX_CSV = REFERENCE / "tiers_lieux" / "cget_tiers_lieux_2019.csv.gz"
TEST_DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-results"


def call_2019_load():
    """The 2019 call loaded from its definition (an unchanged definition already loaded is not written again)."""
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file

    return call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call


# The 2019 call is in the test database from the start (≈ 300 statements: 50 ms on SQLite, 120 ms on PostgreSQL,
# once per worker instead of once per test that uses it). Rolled-back tests leave it there; a transactional test
# (live_server) flushes every table after itself, so the next test's setup loads it again, outside any transaction.
# The `call` fixture still goes through the loader: a test that deleted or changed it gets it back as defined.
_CALL_PRELOAD = {"on": False, "flushed": False}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_2019_load()
    _CALL_PRELOAD["on"] = True


def _call_reload_after_flush(item) -> None:
    """Before a test's fixtures: load the call again if the test before was transactional (its tables flushed)."""
    if _CALL_PRELOAD["on"] and _CALL_PRELOAD["flushed"]:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_2019_load()
    _CALL_PRELOAD["flushed"] = _is_transactional(item)


@pytest.fixture
def call(db):
    return call_2019_load()


@pytest.fixture
def no_call(db):
    """A database without any call: the preloaded one deleted inside the test's transaction (back after it)."""
    from fabriques.calls.models import Call

    Call.objects.all().delete()


@pytest.fixture
def open_wave(call):
    from fabriques.demo.domain import demo_open_wave

    return demo_open_wave(call=call)


def territory_import_all() -> None:
    """Communes, QPV 2024 and 2015 (Occitanie), census of tiers-lieux imported from the shipped reference data."""
    from fabriques.territory.domain import communes_import, qpv_import, tiers_lieux_import

    communes_import(path=COMMUNES_CSV)
    qpv_import(path=QPV_2024, vintage=2024)
    qpv_import(path=QPV_2015_OCCITANIE, vintage=2015)
    tiers_lieux_import(path=TIERS_LIEUX_CSV)


@pytest.fixture
def territory_loaded(db, request, shared_rows):
    """Communes, QPV 2024 and 2015 (Occitanie), census of tiers-lieux imported from the shipped reference data.

    Files are parsed once per process (first use ≈ 3 s of CPU); each later use costs only the writes, ≈ 1 s of
    CPU (35,094 communes are most of it; 2–3 s wall on the loaded 2-core machine). In tests/territory the rows
    are written once for a run of consecutive tests (see `SharedRows`); elsewhere once per test. Use the finer
    fixtures of tests/territory/conftest.py when only part of the data matters.
    """
    if not shared_rows.serves(request.node, "territory"):
        territory_import_all()


# --- Rows shared by consecutive tests ------------------------------------------------------------------------------
# Importing the reference data costs seconds per test. For the tests that only read it, the rows are written once
# inside an outer transaction that stays open while consecutive tests ask for the same data; each test still runs
# in its own savepoint (pytest-django's TestCase), rolled back after it, so what a test writes never leaks. The
# outer transaction is rolled back as soon as a test that does not ask for that data comes next, so every other
# test sees exactly the tables it saw before. Transactional tests (live_server) never use it.
# tests/committee_flow shares the evaluated wave (8 dossiers built through the domain, ≈ 1.5 s on SQLite, ≈ 5 s on
# PostgreSQL per build): built once per worker for consecutive tests; the browser test (transactional) builds its own.
SHARED_ROWS_DIRS = (Path(__file__).resolve().parent / "territory", Path(__file__).resolve().parent / "committee_flow")


def _shared_territory_communes():
    from fabriques.territory.domain import communes_import

    return communes_import(path=COMMUNES_CSV)


def _shared_committee_wave():
    from tests.committee_flow.conftest import committee_rows_build

    return committee_rows_build()


SHARED_ROWS_BUILDERS = {
    "territory": territory_import_all, "communes": _shared_territory_communes, "committee": _shared_committee_wave,
}
_LOADERS = {"territory_loaded": "territory", "communes_loaded": "communes", "evaluated_wave": "committee"}
_OTHER_LOADERS = {"qpv2024_loaded", "qpv2015_loaded", "tiers_lieux_loaded"}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    names = set(getattr(item, "fixturenames", ()))
    return bool(by_marker) or bool(names & {"transactional_db", "live_server", "django_db_reset_sequences"})


def shared_rows_kind(item) -> str | None:
    """Which shared rows a test reads: one loader fixture, in SHARED_ROWS_DIRS, not transactional; else None."""
    names = set(getattr(item, "fixturenames", ()))
    kinds = {_LOADERS[name] for name in names & set(_LOADERS)}
    in_dirs = any(Path(str(item.path)).is_relative_to(folder) for folder in SHARED_ROWS_DIRS)
    if len(kinds) != 1 or names & _OTHER_LOADERS or not in_dirs or _is_transactional(item):
        return None
    return kinds.pop()


class SharedRows:
    """The outer transaction holding the rows of one kind, open between consecutive tests that read them."""

    def __init__(self, blocker):
        self.blocker, self.kind, self.nodeid, self._atomic, self._connection = blocker, None, None, None, None
        self.value = None  # what the builder returned (an import report, primary keys)

    def serves(self, node, kind: str) -> bool:
        return self.kind == kind and self.nodeid == node.nodeid

    def prepare(self, item) -> None:
        kind = shared_rows_kind(item)
        if kind != self.kind:
            self.close()
            if kind is not None:
                self._open(kind)
        self.nodeid = item.nodeid if kind is not None else None

    def _open(self, kind: str) -> None:
        from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

        with self.blocker.unblock():
            assert not connection.in_atomic_block, "shared rows must be the outermost transaction"
            self._connection = connections[DEFAULT_DB_ALIAS]
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            try:
                self.value = SHARED_ROWS_BUILDERS[kind]()
            except BaseException:
                self.kind = kind
                self.close()
                raise
        self.kind = kind

    def close(self) -> None:
        from django.db import DEFAULT_DB_ALIAS, connections, transaction

        if self._atomic is None:
            return
        # Django's connections are per context, and Playwright's sync API switches contexts: when the browser
        # stops at the end of the session, `connection` may no longer be the one holding the rows.
        current = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = self._connection
        try:
            with self.blocker.unblock():
                assert len(self._connection.atomic_blocks) == 1, "a test left a transaction open over the shared rows"
                transaction.set_rollback(True)
                self._atomic.__exit__(None, None, None)
        finally:
            connections[DEFAULT_DB_ALIAS] = current
        self.kind, self.nodeid, self._atomic, self.value, self._connection = None, None, None, None, None


_SHARED_ROWS: list[SharedRows] = []


@pytest.fixture(scope="session")
def shared_rows(request, django_db_setup, django_db_blocker):
    store = SharedRows(django_db_blocker)
    _SHARED_ROWS.append(store)
    # The first test that asks for the store passed the hook below before the store existed. Session fixtures are
    # set up before the test's own (`db` among them), so its rows can still be the outermost transaction (unless
    # the store was asked for from inside a test, by `request.getfixturevalue`).
    from django.db import connection

    with django_db_blocker.unblock():
        outermost = not connection.in_atomic_block
    if outermost:
        store.prepare(request._pyfuncitem)
    yield store
    store.close()
    _SHARED_ROWS.remove(store)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures: the call again after a flush; open, keep or roll back this test's shared rows."""
    _call_reload_after_flush(item)
    for store in _SHARED_ROWS:
        store.prepare(item)


# --- Longest files first under pytest-xdist ---------------------------------------------------------------------------
# `make test` hands whole files to two workers (--dist loadfile) in the order of the collection (--no-loadscope-reorder:
# xdist's own reorder, by number of tests, put the long single-test files, the browser journeys and the fault
# rushes, last, so that one worker ran them alone at the end). The files are sorted here by an estimate of their
# duration, longest first; ties keep the collection order. Estimate: the measured seconds of the longest files
# (idle machine, SQLite; docs/benchmarks.md, « CI duration »), else a test marked slow ≈ 40 s, a browser test ≈ 4 s,
# another ≈ 0.3 s. A wrong estimate only costs time, never a test.
TEST_SECONDS = {"slow": 40.0, "browser": 4.0}
FILE_SECONDS = {
    "tests/dossiers/test_e2e_journey.py": 38.0, "tests/security/test_fault_safety.py": 36.0,
    "tests/evaluation/test_e2e_evaluator_day.py": 20.0, "tests/security/test_url_matrix.py": 18.0,
    "tests/exports/test_serve_command.py": 16.0, "tests/security/test_crash_safety.py": 15.0,
    "tests/calls/test_e2e_second_call.py": 14.0, "tests/followup/test_e2e_followup.py": 14.0,
    "tests/demo/test_demo.py": 14.0, "tests/dossiers/test_e2e_autosave.py": 12.0,
    "tests/territory/test_communes_by_boundary.py": 14.0, "tests/territory/test_import.py": 12.0,
    "tests/territory/test_update.py": 10.0, "tests/instruction/test_e2e_complements.py": 10.0,
    "tests/evaluation/test_e2e_evaluation.py": 10.0, "tests/committee_flow/test_e2e_committee.py": 10.0,
    "tests/instruction/test_e2e_follow_bulk.py": 9.0, "tests/accounts/test_proconnect.py": 8.0,
}


def _seconds_estimate(item) -> float:
    for marker, seconds in TEST_SECONDS.items():
        if item.get_closest_marker(marker) is not None:
            return seconds
    return 0.3


@pytest.hookimpl(trylast=True)  # after pytest-django's order (transactional tests last), kept inside each file
def pytest_collection_modifyitems(config, items):
    # The tests that do the same whatever the database run once per CI: .ci/run's PostgreSQL run leaves them to its
    # SQLite run (as the fault test's SQLite variant); any other run keeps them.
    if os.environ.get("FABRIQUES_TEST_DATABASE_INDEPENDENT") == "0":
        elsewhere = [item for item in items if item.get_closest_marker("database_independent") is not None]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if item.get_closest_marker("database_independent") is None]
    if not hasattr(config, "workerinput"):  # one process: the collection order keeps the shared rows together
        return
    root = Path(str(config.rootpath))
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(Path(str(item.path)).relative_to(root).as_posix(), []).append(item)
    cost = {name: FILE_SECONDS.get(name) or sum(map(_seconds_estimate, tests)) for name, tests in by_file.items()}
    items[:] = [item for name in sorted(by_file, key=lambda name: -cost[name]) for item in by_file[name]]


def user_create(email: str, *, call=None, role: str | None = None, password: str = "motdepasse-solide-42"):  # noqa: S107
    """A confirmed account, with a role on the call if given (what `make_user` makes)."""
    from allauth.account.models import EmailAddress

    from fabriques.accounts.domain import role_grant
    from fabriques.accounts.models import User

    user = User.objects.create_user(email, password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        role_grant(user=user, call=call, role=role)
    return user


@pytest.fixture
def make_user(db):
    return user_create


@pytest.fixture
def admin_user(make_user, call):
    return make_user("admin@example.org", call=call, role=Role.ADMIN)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-results/screenshots/<test>-<name>.png."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(name: str) -> Path:
        path = folder / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def axe_check(page):
    """Run axe-core on the current page; fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(label: str) -> None:
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert not bad, f"axe found serious violations on {label}:\n{details}"

    return check


@pytest.fixture(autouse=True)
def _agent_mfa_only_when_marked(request, settings):
    """Agents must activate TOTP (security.middleware); tests opt in with @pytest.mark.mfa."""
    settings.FABRIQUES_REQUIRE_AGENT_MFA = request.node.get_closest_marker("mfa") is not None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users: a fast hasher keeps the suite quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _slow_tests_take_turns(request):
    """The tests marked slow (a rush with real servers killed or faults injected) take turns on the machine: .ci/run
    runs its SQLite and PostgreSQL suites at the same time, and their timings must not fight each other. An
    exclusive lock on a file of the temporary folder, shared by every run on the machine; the other tests go on."""
    if request.node.get_closest_marker("slow") is None:
        yield
        return
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / "fabriques-slow-tests.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# --- A local XYZ tile server (basemap tests of the data map and the place map) ----------------------------------------
def tile_png(size: int = 256, rgb: tuple[int, int, int] = (221, 232, 214)) -> bytes:
    """A plain PNG tile, one colour, with a darker one-pixel border so tile seams show on screenshots."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    edge = bytes(c - 40 for c in rgb)
    inner = b"\x00" + edge + bytes(rgb) * (size - 2) + edge
    rows = b"".join(b"\x00" + edge * size if y in (0, size - 1) else inner for y in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def tile_server():
    """An HTTP server on 127.0.0.1 answering a PNG for any /z/x/y.png, recording (host, path) of each request."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    requested, body = [], tile_png()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append((self.headers.get("Host", ""), self.path))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, requested
    server.shutdown()
    server.server_close()
