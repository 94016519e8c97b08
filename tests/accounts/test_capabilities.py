"""The capability table (accounts.capabilities): what each role may do, checked against the code that asks it."""

import ast
import re
from pathlib import Path

import pytest

from fabriques.accounts import capabilities
from fabriques.accounts.capabilities import CAPABILITIES, PERSONAL, calls_with, can, role_can, roles_with
from fabriques.accounts.enums import Role

SRC = Path(capabilities.__file__).resolve().parents[1]
ASKERS = {"can", "require", "calls_with", "roles_with", "role_can", "capability_required", "require_capability"}


def _names(node) -> list[str]:
    """Capability names a call argument may hold: a literal, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _names(node.body) + _names(node.orelse)
    return []


def _asked() -> dict[str, list[str]]:
    """{capability: ["file:line", …]} for every call of an asker in src (the table's module left out)."""
    asked: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "capabilities.py" and path.parent.name == "accounts":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func not in ASKERS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for name in _names(arg):
                    if "." in name and " " not in name:
                        asked.setdefault(name, []).append(f"{path.relative_to(SRC)}:{node.lineno}")
    return asked


def test_the_table_printed():
    width = max(map(len, CAPABILITIES))
    lines = [f"{name:<{width}}  {', '.join(labels)}{'' if superuser else '  (not the superuser)'}"
             for name, labels, superuser in capabilities.table()]
    print("\n".join(lines))  # noqa: T201 - the table, for `pytest -s`
    assert len(lines) == len(CAPABILITIES)
    assert roles_with("committee.decide") == (Role.ADMIN,)
    assert set(roles_with("export.run")) == {Role.ADMIN, Role.COMMITTEE, Role.INSTRUCTOR}
    assert not role_can(Role.EVALUATOR, "export.run")
    assert set(roles_with("agent.space")) == set(Role) - {Role.APPLICANT}


def test_every_capability_asked_in_src_is_in_the_table():
    unknown = {name: where for name, where in _asked().items() if name not in CAPABILITIES}
    assert unknown == {}


def test_every_capability_of_the_table_is_asked_somewhere():
    asked = _asked()
    assert [name for name in CAPABILITIES if name not in asked] == []


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError, match="Unknown capability"):
        roles_with("committee.dance")


@pytest.mark.django_db
def test_roles_superuser_and_anonymous(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    from fabriques.accounts.models import CallRole
    from fabriques.calls.models import Call

    call = Call.objects.create(slug="cap", title="Appel")
    other = Call.objects.create(slug="cap-2", title="Autre")
    member = django_user_model.objects.create_user(email="comite@example.org", password="x")
    CallRole.objects.create(user=member, call=call, role=Role.COMMITTEE)
    boss = django_user_model.objects.create_superuser(email="root@example.org", password="x")

    assert can(member, "committee.sit", call)
    assert not can(member, "committee.decide", call)
    assert not can(member, "committee.sit", other)
    assert can(member, "agent.space")  # on some call
    assert list(calls_with(member, "statistics.view")) == [{"call_id": call.pk}]
    assert all(can(boss, name, other) for name in CAPABILITIES if name not in PERSONAL)
    assert not can(boss, "evaluation.evaluate", call)  # being an evaluator is personal
    assert not any(can(AnonymousUser(), name, call) for name in CAPABILITIES)


def test_no_role_is_named_outside_the_table_the_enums_and_the_demo():
    """What a role may do is read from the table (`can`, `calls_with`, `roles_with`, `role_can`), never by naming it."""
    allowed = {"accounts/capabilities.py", "accounts/enums.py"}
    named = re.compile(r"\bRole\.(ADMIN|INSTRUCTOR|EVALUATOR|COMMITTEE|APPLICANT)\b")
    found = [f"{path.relative_to(SRC)}:{n}" for path in sorted(SRC.rglob("*.py"))
             if str(path.relative_to(SRC)) not in allowed and path.relative_to(SRC).parts[0] != "demo"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if named.search(line)]
    assert found == []
