"""The evaluation side's refusal: every refused evaluation action raises an `EvaluationError`."""

from __future__ import annotations

from fabriques.refusal import Refusal


class EvaluationError(Refusal):
    """A refused action; the message is for the person."""
