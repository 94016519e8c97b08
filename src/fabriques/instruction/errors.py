"""The instruction side's refusal: every refused instruction action raises an `InstructionError`."""

from __future__ import annotations

from fabriques.refusal import Refusal


class InstructionError(Refusal):
    """An instruction action that cannot be done; the message is for the person."""
