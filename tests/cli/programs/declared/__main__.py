"""A generic program: declares exactly the resources that declarations.json beside it lists.

The file maps each logical name to ``{"type": "Customer" | "Account", "args": {...}}``, in order;
an argument ``{"$ref": "<name>"}`` is the ``id`` Output of a resource declared before it (a
Customer's ``customer_id`` is that same Output). Tests under tests/cli express a scenario by
rewriting the file, the way a user edits a program. The project around it (Pulumi.yaml) is
written by the test, outside this repository.
"""

import json
from pathlib import Path
from typing import Any

import pulumi

from pulumi_msads import Account, Customer

KINDS = {"Customer": Customer, "Account": Account}
IDS = {
    "Customer": ("customer_id", "customer_number", "account_id", "account_number"),
    "Account": ("account_id", "account_number"),
}

declared: dict[str, dict[str, Any]] = json.loads((Path(__file__).parent / "declarations.json").read_text())
made: dict[str, pulumi.CustomResource] = {}


def resolve(value: Any) -> Any:
    """The argument as the resource takes it, with every ``{"$ref": name}`` replaced by that id."""
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return made[value["$ref"]].id
        return {key: resolve(item) for key, item in value.items()}
    return value


for name, spec in declared.items():
    made[name] = KINDS[spec["type"]](name, resolve(spec["args"]))

# One Output for the whole map, as examples/gitops does: a preview then shows it unknown, not with holes.
pulumi.export(
    "resources",
    pulumi.Output.from_input(
        {name: {key: getattr(made[name], key) for key in IDS[spec["type"]]} for name, spec in declared.items()}
    ),
)
