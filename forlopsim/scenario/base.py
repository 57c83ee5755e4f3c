"""The one base class every scenario model shares: strict, frozen and self-documenting."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    Strict,
    model_serializer,
)

from forlopsim.limits import MAX_RATE_PER_YEAR

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
"""A probability: a number from 0 to 1."""

NonNegative = Annotated[float, Field(ge=0.0)]
"""A rate, cost, multiplier or duration that cannot be negative."""

RatePerYear = Annotated[float, Field(ge=0.0, le=MAX_RATE_PER_YEAR)]
"""Events per resident and year (a hazard), bounded by :data:`forlopsim.limits.MAX_RATE_PER_YEAR`."""

Positive = Annotated[float, Field(gt=0.0)]
"""A number that must be above zero (a mean, a horizon)."""

Count = Annotated[int, Strict(), Field(ge=0)]
"""A whole number of places, beds or people (``true`` or ``2.5`` are not accepted)."""

Need = Annotated[int, Field(ge=1, le=4)]
"""A need level: 1 light, 2 moderate, 3 middle, 4 high (24h staffed)."""

Source = str | dict[str, str]
"""Where a block's numbers come from: one text for the whole block, or one per field name.

Each text is a row id of ``shared/calibration/figures.md`` (``P1``, ``T3``), a seed document,
another document, or begins with ``assumption:``.
"""


class Model(BaseModel):
    """Base of every scenario model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        allow_inf_nan=False,
    )


class Label(Model):
    """A display name in each language of the report, e.g. ``{nb: Bolig først, en: Housing First}``.

    Either may be left out: the other stands in, then the code name (``validate`` warns).
    """

    nb: str | None = Field(default=None, min_length=1)
    """Norwegian (bokmål)."""
    en: str | None = Field(default=None, min_length=1)
    """English."""

    def text(self, language: str) -> str | None:
        """The name in ``language`` (``nb`` or ``en``), else in the other; None if neither."""
        first, second = (self.nb, self.en) if language == "nb" else (self.en, self.nb)
        return first or second


class Sourced(Model):
    """A block of numbers that must say where they come from."""

    source: Source | None = None
    """Source of the block's numbers: a figures.md row id, a document, or ``assumption: …``."""


class Quiet(Model):
    """A model whose optional fields in :attr:`quiet` are left out of its dump while unset.

    For fields added since results were first fingerprinted: a scenario that sets none of them
    dumps (and hashes, ``bench/check_identical.py``) exactly as before they existed.
    """

    quiet: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.quiet:
                if name in data and data[name] is None:
                    del data[name]
        return data
