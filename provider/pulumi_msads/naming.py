"""Property names and API field names: ``market_country`` is ``MarketCountry``, both ways.

Used by ``fields`` (the one mapping between properties and API fields) and by ``models``, whose
checks name the property of an API rule they apply. ``camel`` names a property as a Pulumi package
schema does (``market_country`` -> ``marketCountry``; ``package_schema``); ``snake`` turns it back.
"""

from __future__ import annotations


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def camel(name: str) -> str:
    """The property's name in a Pulumi package schema and its SDKs; ``snake`` is the inverse."""
    name = pascal(name)
    return name[:1].lower() + name[1:]


def snake(name: str) -> str:
    out = ""
    for index, char in enumerate(name):
        if char.isupper() and index and not name[index - 1].isupper():
            out += "_"
        out += char.lower()
    return out
