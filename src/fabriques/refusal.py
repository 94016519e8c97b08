"""One refusal type for the whole platform: a domain function that will not do what it was asked raises a `Refusal`.

Every app's error (`DossierError`, `CommitteeError`, `EvaluationError`, `InstructionError`, the transition errors…)
subclasses it, so a view catches one type, the API turns it into its error body in one handler and a refusal nobody
caught becomes a French message and a redirect, never a 500 (`theme.middleware.RefusalMiddleware`).

The lowest layer: this module imports nothing from `fabriques`, so every app may import it.
"""

from __future__ import annotations


class Refusal(Exception):  # noqa: N818 -- the name the issue gives it: a refusal, not a fault
    """A refused action. `message` is French, for the person; `field` names the form field it concerns, if one.

    `status` is the HTTP status the API answers with (409: the state of things forbids it; 422 for bad input).
    """

    status: int = 409
    code: str = "refused"
    field: str | None = None

    def __init__(self, message: str = "", *args, field: str | None = None):
        super().__init__(message, *args)
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self)


def refusal_to_messages(request, exc: Refusal) -> None:
    """Show the refusal to the person as an error message on the next page (views)."""
    from django.contrib import messages

    messages.error(request, exc.message)


def refusal_to_form(form, exc: Refusal) -> None:
    """Attach the refusal to the form: on its field when the form has it, else as a form-wide error (views)."""
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, exc.message)
