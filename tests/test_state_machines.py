"""Every state machine has one writer.

Each model field named `state` or `status` that has choices is written only by the transition function of its
machine (a table of allowed moves plus one function that checks it, saves, audits where the app audits and queues
what follows). Found by reading the models (introspection) and by an AST scan of `src/fabriques`:

- `obj.state = …` / `obj.status = …` (also in tuple assignments and `setattr(obj, "state", …)`),
- `.update(state=…)`, `.bulk_update(…)` and `**{"state": …}` handed to a queryset write,

are allowed only inside the writers below. Creating a row in its machine's initial state (the field's default:
`Model(state=X)`, `.create(state=X)`, `.get_or_create(state=X)`, `.update_or_create(state=X)`) is not a transition and
is allowed anywhere; any other state at creation must go through the writer too.
"""

from __future__ import annotations

import ast
import importlib
import pathlib

import pytest
from django.apps import apps
from django.db import models

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "fabriques"
FIELDS = {"state", "status"}

# model label.field -> the functions allowed to write it (dotted paths)
WRITERS: dict[str, set[str]] = {
    # dossier_transition is a bulk move of one: both go through dossiers_transition_many.
    "dossiers.Dossier.state": {"fabriques.dossiers.workflow.dossiers_transition_many"},
    "evaluation.Assignment.state": {"fabriques.evaluation.lifecycle.assignment_transition"},
    "evaluation.Evaluation.state": {"fabriques.evaluation.lifecycle.evaluation_transition"},
    "committee.OutboxMessage.state": {"fabriques.committee.domain.letter_transition"},
    "followup.Agreement.state": {"fabriques.followup.domain.agreement_transition"},
    "followup.Tranche.state": {"fabriques.followup.domain.tranche_transition"},
    "followup.Report.state": {"fabriques.followup.reporting.report_transition"},
    "exports.ExportJob.state": {"fabriques.exports.domain.job_transition"},
    "webhooks.WebhookDelivery.state": {"fabriques.webhooks.domain.delivery_transition"},
    "mail.OutgoingEmail.state": {"fabriques.mail.domain.email_transition"},
    "advice.AdviserInvitation.state": {"fabriques.advice.domain.invitation_transition"},
    "advice.Thread.state": {"fabriques.advice.domain.thread_transition"},
    "faq.Question.state": {"fabriques.faq.domain.question_transition"},
    "instruction.ComplementRequest.state": {"fabriques.instruction.complements.complement_transition"},
    # Not a lifecycle: the verdict of one checklist line, recomputed from the data (any value may follow any other
    # when the dossier changes) or confirmed by hand with a logged reason. Its two writers are named here.
    "instruction.AdmissibilityCheck.status": {"fabriques.instruction.admissibility.checklist_refresh",
                                              "fabriques.instruction.admissibility.check_confirm"},
}

# Assignments that write no row: the reason each one is harmless.
NOT_WRITES = {
    "fabriques.dossiers.deposit.dossier_deposit": "copies the state the transition committed onto the caller's object",
    "fabriques.followup.reporting.report_deposit": "copies the state the transition committed onto the caller's object",
    "fabriques.calls.views.call_detail": "a display attribute on Wave, which has no state field",
    "fabriques.api.errors.ApiError.__init__": "an exception's HTTP status, not a model's",
}

QUERYSET_WRITES = {"update", "bulk_update"}
CREATIONS = {"create", "get_or_create", "update_or_create"}


def _state_fields() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models() if model.__module__.startswith("fabriques.")
        for field in model._meta.concrete_fields if field.name in FIELDS and field.choices
    }


def _initial_states() -> set[str]:
    found = set()
    for label in _state_fields():
        app_model, name = label.rsplit(".", 1)
        default = apps.get_model(app_model)._meta.get_field(name).default
        if default is not models.NOT_PROVIDED:
            found.add(str(default))
    return found


def _targets(node):
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    else:
        yield node


def _has_state_key(node) -> bool:
    return isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value in FIELDS for k in node.keys)


class _Scan(ast.NodeVisitor):
    """Writes of a state-like attribute in one module, each with the dotted name of the function holding it."""

    def __init__(self, module: str, namespace: dict, initial: set[str]):
        self.module, self.namespace, self.initial = module, namespace, initial
        self.stack: list[tuple[str, str]] = []
        self.state_dicts: list[set[str]] = [set()]
        self.found: list[tuple[str, int, str]] = []

    def _where(self) -> str:
        """module.function, or module.Class.method (a nested function counts as the one holding it)."""
        names = []
        for kind, name in self.stack:
            names.append(name)
            if kind == "function":
                return ".".join([self.module, *names])
        return ".".join([self.module, *names, "<body>"])

    def _report(self, node, what: str) -> None:
        self.found.append((self._where(), node.lineno, what))

    def _value(self, node):
        try:
            return eval(ast.unparse(node), self.namespace)  # noqa: S307 -- names of this project's own modules
        except Exception:  # a variable: not a constant the scan can read
            return None

    def visit_FunctionDef(self, node):
        self.stack.append(("function", node.name))
        self.state_dicts.append(set())
        self.generic_visit(node)
        self.state_dicts.pop()
        self.stack.pop()

    def visit_ClassDef(self, node):
        self.stack.append(("class", node.name))
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 -- the name ast.NodeVisitor calls

    def visit_Assign(self, node):
        for target in node.targets:
            for element in _targets(target):
                if isinstance(element, ast.Attribute) and element.attr in FIELDS:
                    self._report(node, f"{ast.unparse(element)} = …")
                if isinstance(element, ast.Name) and _has_state_key(node.value):
                    self.state_dicts[-1].add(element.id)
        self.generic_visit(node)

    def _is_model(self, func) -> bool:
        value = self._value(func)
        return isinstance(value, type) and issubclass(value, models.Model)

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name == "setattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in FIELDS:
            self._report(node, "setattr(…)")
        creation = name in CREATIONS or (name[:1].isupper() and self._is_model(func))
        for keyword in node.keywords:
            if keyword.arg in FIELDS and name in QUERYSET_WRITES:
                self._report(node, f".{name}({keyword.arg}=…)")
            elif keyword.arg in FIELDS and creation and str(self._value(keyword.value)) not in self.initial:
                self._report(node, f"{name}({keyword.arg}={ast.unparse(keyword.value)}) not the initial state")
            elif keyword.arg is None and (name in QUERYSET_WRITES or creation) and (
                _has_state_key(keyword.value)
                or (isinstance(keyword.value, ast.Name) and keyword.value.id in self.state_dicts[-1])
            ):
                self._report(node, f".{name}(**{{state…}})")
        if name == "bulk_update" and any(isinstance(a, (ast.List, ast.Tuple)) and any(
                isinstance(e, ast.Constant) and e.value in FIELDS for e in a.elts) for a in node.args):
            self._report(node, ".bulk_update([… 'state' …])")
        self.generic_visit(node)


def _writes() -> list[tuple[str, int, str]]:
    initial = _initial_states()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.name in ("__main__.py", "wsgi.py"):  # importing those runs them
            continue
        module = "fabriques." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        scan = _Scan(module, vars(importlib.import_module(module)), initial)
        scan.visit(ast.parse(path.read_text(), filename=str(path)))
        found += scan.found
    return found


def test_every_model_with_a_state_has_its_writers_listed():
    assert _state_fields() == set(WRITERS)


@pytest.mark.parametrize("dotted", sorted(set().union(*WRITERS.values())))
def test_every_listed_writer_exists(dotted):
    module, name = dotted.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), name))


def test_only_the_transition_functions_write_a_state():
    allowed = set().union(*WRITERS.values()) | set(NOT_WRITES)

    strays = [f"{where}:{line} {what}" for where, line, what in _writes() if where not in allowed]

    assert strays == []


def test_the_scan_sees_every_kind_of_write():
    """The scan itself, on a sample: an inline write in each form is found, an initial-state creation is not."""
    sample = '''
def elsewhere(job, jobs):
    job.state = "done"
    job.status, job.error = "ok", ""
    jobs.filter(pk=1).update(state="running")
    setattr(job, "state", "failed")
    values = {"state": "done"}
    jobs.update(**values)
    jobs.create(state="queued")
    jobs.create(state="done")
'''
    scan = _Scan("sample", {}, {"queued"})
    scan.visit(ast.parse(sample))

    assert [line for _, line, _ in scan.found] == [3, 4, 5, 6, 8, 10]
