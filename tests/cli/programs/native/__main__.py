"""A Python program on the native msads provider (issue 15), with no generated SDK yet: raw CustomResources of the
package schema's types, camelCase inputs as the schema names them.

It declares what ``customers.json`` beside it lists, ``{logical name: inputs}``. With no ``providers.json`` they
go to the default provider, which the engine finds through the ``plugins.providers`` path of the project's
Pulumi.yaml and configures from the stack's ``msads:`` config. ``providers.json``, ``{provider name: {"settings":
{...}, "customers": [logical names]}}``, declares explicit providers instead (two parent customers in one stack),
each with its own settings and the stack's credentials, read as secrets. ``accounts.json``, ``{logical name:
{"customer": <a customer's logical name>, "inputs": {...}}}``, adds Accounts wired to those customers'
``customerId`` outputs, as the GitOps example wires the dynamic provider's. ``gets.json``, ``{logical name: customer
id}``, reads existing customers without managing them (``.get()``: the resource's id, no inputs) and exports each
one's name as ``<logical name>_name``.
"""

import json
from pathlib import Path

import pulumi

HERE = Path(__file__).parent
declared = json.loads((HERE / "customers.json").read_text())
placements = json.loads((HERE / "providers.json").read_text()) if (HERE / "providers.json").exists() else {}

stack_config = pulumi.Config("msads")
provider_of: dict[str, pulumi.ProviderResource] = {}
for provider_name, placement in placements.items():
    settings = {
        **placement["settings"],
        "developerToken": stack_config.require_secret("developerToken"),
        "accessToken": stack_config.require_secret("accessToken"),
    }
    provider = pulumi.ProviderResource("msads", provider_name, settings)
    provider_of |= {name: provider for name in placement["customers"]}

customers: dict[str, pulumi.CustomResource] = {}
for name, inputs in declared.items():
    options = pulumi.ResourceOptions(provider=provider_of.get(name))
    # customerId is an output too (None: not sent), as a generated SDK declares it: the accounts are wired to it
    customer = pulumi.CustomResource("msads:index:Customer", name, {"customerId": None, **inputs}, options)
    customers[name] = customer
    pulumi.export(name, customer.id)

accounts = json.loads((HERE / "accounts.json").read_text()) if (HERE / "accounts.json").exists() else {}
for name, spec in accounts.items():
    inputs = {**spec["inputs"], "customerId": customers[spec["customer"]].customerId}  # type: ignore[attr-defined]
    options = pulumi.ResourceOptions(provider=provider_of.get(spec["customer"]))
    account = pulumi.CustomResource("msads:index:Account", name, inputs, options)
    pulumi.export(name, account.id)

gets = json.loads((HERE / "gets.json").read_text()) if (HERE / "gets.json").exists() else {}
for name, customer_id in gets.items():
    read = pulumi.CustomResource("msads:index:Customer", name, {"name": None}, pulumi.ResourceOptions(id=customer_id))
    pulumi.export(f"{name}_name", read.name)  # type: ignore[attr-defined]
