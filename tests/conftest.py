"""Shared fixtures: the 2019 call loaded from its definition, users per role, the browser."""

import os
from pathlib import Path

import pytest

from fabriques.accounts.enums import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# that by default. Tests drive the browser and the database one after the other.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-results"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.fail(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def call(db):
    from fabriques.calls.domain import DEFINITIONS_DIR, call_load_file

    return call_load_file(path=DEFINITIONS_DIR / "ami-tiers-lieux-2019.toml").call


@pytest.fixture
def open_wave(call):
    from fabriques.demo.domain import demo_open_wave

    return demo_open_wave(call=call)


@pytest.fixture
def territory_loaded(db):
    """Communes, QPV 2024 and 2015 (Occitanie), census of tiers-lieux imported from ../shared/data (per test).

    Files are parsed once per process (first use ≈ 3 s of CPU); each later use costs only the writes, ≈ 1 s of
    CPU (35,094 communes are most of it; 2–3 s wall on the loaded 2-core machine). Use the finer fixtures of
    tests/territory/conftest.py when only part of the data matters.
    """
    from fabriques.territory.domain import communes_import, qpv_import, tiers_lieux_import

    communes_import(path=SHARED_DATA / "communes" / "communes_2022_centroids.csv")
    qpv_import(path=SHARED_DATA / "qpv" / "qpv2024_anct_simplified.geojson", vintage=2024)
    qpv_import(path=SHARED_DATA / "qpv" / "qpv2015_occitanie_hackaviz2021.geojson", vintage=2015)
    tiers_lieux_import(path=SHARED_DATA / "tiers_lieux" / "cget_tiers_lieux_2019.csv")


@pytest.fixture
def make_user(db):
    from allauth.account.models import EmailAddress

    from fabriques.accounts.domain import role_grant
    from fabriques.accounts.models import User

    def make(email: str, *, call=None, role: str | None = None, password: str = "motdepasse-solide-42"):  # noqa: S107
        user = User.objects.create_user(email, password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if role is not None:
            role_grant(user=user, call=call, role=role)
        return user

    return make


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
