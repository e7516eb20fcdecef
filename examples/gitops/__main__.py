"""GitOps: the customers and accounts that accounts.yaml declares, and nothing else.

Each customer key is a Customer resource (the customer with its primary account); each key under
its ``accounts`` is an Account resource named ``<customer key>/<account key>``, wired to the
customer's ``customer_id`` output. The file is checked in full before any resource is declared.

Removing an entry removes its resource by its ``deletion_policy`` (default 'prevent': `pulumi up`
refuses). Stack config: ``gitops:file`` picks another file (relative to this folder);
``gitops:protect: true`` protects every resource as well (Pulumi's own ``protect``); ``msads:environment``
(production, sandbox, local) picks the ids each entry declares under ``environments``.
"""

import os
from pathlib import Path

import pulumi

from pulumi_msads import Account, Customer, gitops

config = pulumi.Config("gitops")
path = Path(__file__).parent / (config.get("file") or "accounts.yaml")
opts = pulumi.ResourceOptions(protect=config.get_bool("protect") or False)
# The stack's environment picks each entry's `environments.<name>` ids (adopt_id, parent_customer_id), so that
# one file declares the sandbox and the production stacks; the provider reads the same setting.
environment = pulumi.Config("msads").get("environment") or os.environ.get("MSADS_ENVIRONMENT") or "production"
try:
    desired = gitops.load(path)
except gitops.DesiredStateError as error:
    raise pulumi.RunError(str(error)) from None  # the list of problems, without a traceback

customers = {}
for key, entry in desired.customers.items():
    customer = Customer(key, entry.customer_inputs(desired.deletion_policy, environment), opts)
    accounts = {
        account_key: Account(
            gitops.account_name(key, account_key),
            {
                **gitops.account_inputs(account, desired.deletion_policy, environment),
                "customer_id": customer.customer_id,
            },
            opts,
        )
        for account_key, account in entry.accounts.items()
    }
    customers[key] = {
        "customer_id": customer.customer_id,
        "customer_number": customer.customer_number,
        "account_id": customer.account_id,
        "account_number": customer.account_number,
        "accounts": {k: {"account_id": a.account_id, "account_number": a.account_number} for k, a in accounts.items()},
    }

# One Output for the whole map: while any resource is being updated its numbers are unknown to a
# preview, and the preview then shows nothing here rather than a map with holes that looks changed.
pulumi.export("customers", pulumi.Output.from_input(customers))
