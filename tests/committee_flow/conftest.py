import pytest

from fabriques.accounts.enums import Role
from fabriques.demo.committee_demo import demo_closed_wave


@pytest.fixture
def people(call, make_user):
    return {
        "admin": make_user("admin.prog@exemple.fr", call=call, role=Role.ADMIN),
        "instructor": make_user("instructeur@exemple.fr", call=call, role=Role.INSTRUCTOR),
        "evaluator": make_user("evaluateur1@exemple.fr", call=call, role=Role.EVALUATOR),
        "committee": make_user("comite@exemple.fr", call=call, role=Role.COMMITTEE),
    }


@pytest.fixture
def evaluated_wave(call, people):
    """A closed wave with 8 evaluated dossiers (4 evaluators, 3 per dossier), built through the domain."""
    return demo_closed_wave(call=call, password="motdepasse-solide-42", admin=people["admin"],
                            instructor=people["instructor"], evaluator=people["evaluator"], count=8, evaluators=4)
