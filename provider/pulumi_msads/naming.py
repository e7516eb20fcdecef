"""Property names and API field names: ``market_country`` is ``MarketCountry``, both ways.

Used by ``fields`` (the one mapping between properties and API fields) and by ``models``, whose
checks name the property of an API rule they apply.
"""

from __future__ import annotations


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def snake(name: str) -> str:
    out = ""
    for index, char in enumerate(name):
        if char.isupper() and index and not name[index - 1].isupper():
            out += "_"
        out += char.lower()
    return out
