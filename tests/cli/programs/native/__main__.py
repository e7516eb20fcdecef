"""A Python program on the native msads provider (issue 15), with no generated SDK yet: raw CustomResources of the
package schema's types, camelCase inputs as the schema names them.

It declares what ``customers.json`` beside it lists, ``{logical name: inputs}``, with the default provider: the
engine finds ``pulumi-resource-msads`` through the ``plugins.providers`` path of the project's Pulumi.yaml.
"""

import json
from pathlib import Path

import pulumi

declared = json.loads((Path(__file__).parent / "customers.json").read_text())
for name, inputs in declared.items():
    customer = pulumi.CustomResource("msads:index:Customer", name, inputs)
    pulumi.export(name, customer.id)
