"""Edits to a GitOps file that keep everything else in it: comments, order, anchors, quoting.

The file is reviewed by people, so a tool that changes it adds the one line a person would have
typed, in place, rather than dumping the parsed YAML again. Positions come from PyYAML's node marks.
"""

from __future__ import annotations

import yaml


class EditError(ValueError):
    """The file cannot take the edit as asked (the entry is missing or not a block mapping)."""


def add_adopt_id(text: str, keys: tuple[str, ...], object_id: str) -> str:
    """``text`` with ``adopt_id: '<object_id>'`` as the first line of the entry at ``keys``.

    ``keys`` is the path of the entry: ``("customers", "fabrikam")`` or
    ``("customers", "contoso", "accounts", "brand")``. An entry that already says ``adopt_id``
    is refused rather than overwritten.
    """
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    where = ""
    for key in keys:
        where = f"{where}.{key}" if where else key
        if not isinstance(node, yaml.MappingNode):
            raise EditError(f"{where}: not found (its parent is not a mapping)")
        values = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        if key not in values:
            raise EditError(f"{where}: no such entry")
        node = values[key]
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise EditError(f"{where}: the entry is not a block mapping (one key per line), so it cannot take a new line")
    if any(isinstance(k, yaml.ScalarNode) and k.value == "adopt_id" for k, _ in node.value):
        raise EditError(f"{where}: already has an adopt_id; change it by hand if it is wrong")
    first = node.value[0][0].start_mark
    lines = text.splitlines(keepends=True)
    lines.insert(first.line, " " * first.column + f"adopt_id: '{object_id}'\n")
    return "".join(lines)


def entry_keys(logical_name: str) -> tuple[str, ...]:
    """Where the GitOps file declares the resource with this logical name (see ``gitops.account_name``)."""
    customer, slash, account = logical_name.partition("/")
    return ("customers", customer, "accounts", account) if slash else ("customers", customer)
