"""Faults the emulated service raises, in the two shapes the real one uses.

``AdApiFaultDetail`` (namespace ``https://adapi.microsoft.com``) carries authentication,
authorization, throttling and internal errors; ``ApiFault`` carries everything specific to
Customer Management, validation above all. The SOAP layer turns these into fault envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..codes import AUTH_CODES, lookup


@dataclass(frozen=True)
class ErrorItem:
    """One error; ``documented`` picks the message of a code the documentation lists twice (209)."""

    code: int
    details: str = ""
    documented: str | None = None

    @property
    def name(self) -> str:
        return lookup(self.code).name

    @property
    def message(self) -> str:
        return self.documented or lookup(self.code).message


@dataclass
class ServiceError(Exception):
    """One or more errors from an operation; ``adapi`` picks the AdApiFaultDetail shape."""

    errors: list[ErrorItem] = field(default_factory=list)
    adapi: bool = False

    def __str__(self) -> str:
        return "; ".join(f"{e.code} {e.name}: {e.details or e.message}" for e in self.errors)


def fault(code: int, details: str = "", documented: str | None = None) -> ServiceError:
    """A fault with one error, in the shape the real service uses for that code."""
    return ServiceError([ErrorItem(code, details, documented)], adapi=code in AUTH_CODES)
