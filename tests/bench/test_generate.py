"""The benchmark generator writes what the load runs rely on: complete drafts, balanced budgets, 3 scored
evaluations per evaluated dossier, stored scores, and sessions that log the bench users in."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from fabriques.dossiers.models import Answer, BudgetLine, Dossier
from fabriques.dossiers.queries import missing_items
from fabriques.evaluation.models import DossierScore, Evaluation, Score
from fabriques.territory.models import Commune

BENCH = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def communes(db):
    return [Commune.objects.create(code=f"7600{i}", name=f"Commune {i}", departement_code="76", region_code=r,
                                   latitude=49.4, longitude=1.1, search_name=f"commune {i}")
            for i, r in enumerate(["76", "28", "11"])]


def test_generated_base_has_complete_drafts_scored_evaluations_and_working_sessions(
    communes, settings, tmp_path, client
):
    settings.FABRIQUES_REQUIRE_AGENT_MFA = False
    gen = _generator()
    data = gen.generate(n=40, drafts=6, seed=3)
    gen.write_sessions(tmp_path / "sessions.json", data)

    assert Dossier.objects.count() == 46
    drafts = Dossier.objects.filter(state="draft")
    assert drafts.count() == 6
    assert all(missing_items(d) == [] for d in drafts)  # the rush deposits them as they are
    assert Answer.objects.count() == 46 * 12
    lengths = [len(t) for t in Answer.objects.values_list("text", flat=True)]
    assert min(lengths) >= 800
    assert max(lengths) <= 3000
    per_year = BudgetLine.objects.values("dossier", "year", "kind").annotate(total=Sum("amount_eur"))
    totals = {(r["dossier"], r["year"], r["kind"]): r["total"] for r in per_year}
    assert all(totals[(d, y, "charge")] == totals[(d, y, "resource")] for d, y, _ in totals)
    evaluated = Dossier.objects.annotate(n=Count("assignments")).filter(n__gt=0)
    assert set(evaluated.values_list("n", flat=True)) == {3}
    assert Score.objects.count() == Evaluation.objects.count() * 12
    submitted = Dossier.objects.filter(assignments__evaluation__state="submitted").distinct().count()
    assert DossierScore.objects.count() == submitted

    sessions = json.loads((tmp_path / "sessions.json").read_text())
    assert len(sessions["applicants"]) == 6
    client.cookies["sessionid"] = sessions["admin"]
    assert client.get("/instruction/?sort=-score").status_code == 200
    client.cookies["sessionid"] = sessions["applicants"][0]["session"]
    assert client.get(f"/dossiers/{sessions['applicants'][0]['dossier']}/depot/").status_code == 200
