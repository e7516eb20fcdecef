"""``msads export``: an agency's existing customers and accounts as a GitOps file that adopts them.

Onboarding an estate that was built by hand: every client customer under the caller's aggregator
customer(s), with its accounts, becomes an entry of ``accounts.yaml`` that carries ``adopt_id`` and
exactly the live value of every property the models declare, read through the provider's one
mapping (``fields.from_api``). The first `pulumi up` on the file therefore adopts everything and
writes nothing: no UpdateCustomer, no UpdateAccount, no SignupCustomer, no AddAccount.

What is read, and why so:

- The customers: one GetCustomersInfo call (``CustomerNameFilter`` the ``--name-prefix``, or empty,
  ``TopN`` ``client.CUSTOMERS_INFO_TOP``: ``ServiceClient.customers_starting_with``, which the create
  guard uses too). Not SearchCustomers: it needs a predicate whose value has at least four characters, and none of its
  predicates lists "every customer" without a made-up date or name; GetCustomersInfo's filter is a
  name prefix, which is exactly ``--name-prefix``, applied by the service. When the answer is as
  long as ``TopN`` it cannot prove that nobody is missing, and the export stops and says so (export
  in parts with ``--name-prefix`` or ``--customer-id``) rather than write half an estate. With
  ``--customer-id`` nothing is listed: each customer named is read. The aggregator's own
  customer(s) (GetUser's CustomerRoles with RoleId 33, and ``msads:parentCustomerId``) are not
  clients and are never exported.
- Each customer: GetCustomer (the full record, as adoption reads it), SearchAccounts for its
  accounts (all pages, ``ServiceClient.accounts_of``), and GetAccount for each account exported.

Rules:

- Keys follow the loader's rule (``gitops.KEY_PATTERN``): the slug of the name (lowercase ASCII
  letters and digits, accents dropped, everything else one '-'; at most 63 characters). Two
  customers with the same slug: the one with the lowest id keeps it, the others get ``-<id>``
  appended, so that a later export keeps every existing key. An account's key is the slug of its
  name without the customer's name in front ("Contoso Outdoor - Brand" of "Contoso Outdoor" is
  ``brand``), unique within its customer the same way (``-<account id>``).
- The primary account (the Customer resource's ``account``) is the live account billed to the
  aggregator (BillToCustomerId not the customer itself, as SignupCustomer makes the first one),
  else the oldest live account (the lowest id); the lowest id again when several qualify.
  ``--primary CUSTOMER_ID=ACCOUNT_ID`` picks another. Every other account becomes an entry under
  ``accounts``. Adoption finds the primary account by its name, so it carries no ``adopt_id``.
- Inactive customers and accounts (the API can neither change nor reactivate them) are skipped and
  listed in the summary; ``--include-inactive`` writes Inactive accounts too (the provider refuses to
  adopt them, so they are for review). A customer without a live account is always skipped: it has
  no account that could be its primary one.
- Nothing that could delete is written: no ``deletion_policy`` (the default, 'prevent', stays).
- Deterministic: customers and accounts sorted by key, properties in the models' order, maps by
  key. Only the header's "exported at" line changes between two exports of the same estate
  (``SOURCE_DATE_EPOCH`` fixes it, for a byte-identical file).

The result must pass ``gitops.loads`` before it is written: a live value the models refuse (or a
customer with more accounts than the file allows) stops the export, naming each problem.

``--format python`` writes a Pulumi program (a ``__main__.py``) instead, rendered from the
``DesiredState`` that check loaded, through the GitOps program's own mapping
(``CustomerEntry.customer_inputs``, ``gitops.account_inputs``): one ``Customer`` per customer and one
``Account`` per additional account, with the names, inputs and ``customers`` output that
examples/gitops/__main__.py declares from the YAML file. Values are literals in the same order as in
the file, laid out as ``ruff format`` leaves them (every dict and call exploded, with a trailing
comma), and the text must compile before it is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel

from . import fields, gitops
from .client import ServiceClient
from .errors import MsadsError, NotFoundError
from .models import CustomerModel
from .operations import INACTIVE, aggregated_customers

Props = dict[str, Any]
KEY_MAX = 63
FORMATS = ("yaml", "python")
"""``--format``: the GitOps file, or a Pulumi program that declares the same resources."""
SCHEMA_LINE = "# yaml-language-server: $schema=./accounts.schema.json"
"""The first line of examples/gitops/accounts.yaml: editors check the file against the schema beside it."""


class ExportError(MsadsError):
    """The export cannot produce a file that is complete and loads; nothing was written."""


@dataclass(frozen=True)
class Skipped:
    """A customer or account left out of the file, and why."""

    kind: str
    """'customer' or 'account'."""
    object_id: str
    name: str
    reason: str
    customer_id: str | None = None

    def __str__(self) -> str:
        owner = f" of customer {self.customer_id}" if self.customer_id else ""
        name = f" {self.name!r}" if self.name else ""
        return f"{self.kind} {self.object_id}{name}{owner}: {self.reason}"


@dataclass
class Export:
    """What an export produced: the file's data and text, its counts, and what it left out."""

    data: Props
    text: str
    """The file to write: the YAML document, or with ``output_format="python"`` the Pulumi program."""
    customers: int
    accounts: int
    """Every account in the file, primary accounts included."""
    skipped: list[Skipped] = field(default_factory=list)
    included_inactive: list[str] = field(default_factory=list)
    """Entries (``customers.<key>.accounts.<key>``) of Inactive accounts written because of ``include_inactive``."""
    state: gitops.DesiredState | None = None
    """The YAML document as ``gitops.loads`` read it: what the file (or the program) declares."""

    def summary(self, destination: str = "stdout") -> str:
        lines = [
            f"msads export: {self.customers} customer{_s(self.customers)} and {self.accounts} "
            f"account{_s(self.accounts)} exported to {destination}, each adopting its live object."
        ]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)}:")
            lines += [f"  {s}" for s in self.skipped]
        if self.included_inactive:
            lines.append(
                f"{len(self.included_inactive)} Inactive account{_s(len(self.included_inactive))} written "
                "(--include-inactive): the provider cannot adopt them; remove them before `pulumi up`:"
            )
            lines += [f"  {where}" for where in self.included_inactive]
        return "\n".join(lines)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


# -- keys ---------------------------------------------------------------------------------------------------


def slug(name: str) -> str:
    """A key made of ``name``: lowercase ASCII letters and digits, accents dropped, any other run one '-'."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:KEY_MAX].rstrip("-")


def _with_suffix(base: str, suffix: str) -> str:
    return f"{base[: KEY_MAX - len(suffix) - 1].rstrip('-')}-{suffix}"


def unique_keys(named: Iterable[tuple[str, str]], fallback: str) -> dict[str, str]:
    """A key for each (id, name): the name's slug (``<fallback>-<id>`` when it has none), and on a collision
    the slug with ``-<id>`` for all but the lowest id, so that objects added later never rename older keys."""
    by_base: dict[str, list[str]] = {}
    for object_id, name in named:
        by_base.setdefault(slug(name) or _with_suffix(fallback, object_id), []).append(object_id)
    keys: dict[str, str] = {}
    used: set[str] = set()
    for base, ids in sorted(by_base.items()):  # every plain key first, so that a suffixed one never takes one
        first = min(ids, key=int)
        keys[first] = base
        used.add(base)
    for base, ids in sorted(by_base.items()):
        for object_id in sorted(ids, key=int):
            if object_id in keys:
                continue
            key, extra = _with_suffix(base, object_id), 1
            while key in used:  # only when another name's slug is this very text
                extra += 1
                key = _with_suffix(base, f"{object_id}-{extra}")
            keys[object_id] = key
            used.add(key)
    return keys


def account_key_name(account_name: str, customer_name: str) -> str:
    """The part of an account's name that its key is made of: without the customer's name in front."""
    if account_name.casefold().startswith(customer_name.casefold()):
        rest = account_name[len(customer_name) :]
        if slug(rest):
            return rest
    return account_name


# -- reading ------------------------------------------------------------------------------------------------


def aggregator_customers(client: ServiceClient) -> list[str]:
    """The caller's own aggregator customers: GetUser's roles with RoleId 33, and ``msads:parentCustomerId``."""
    found = set(aggregated_customers(client.current_user()))
    if client.config.parent_customer_id:
        found.add(str(client.config.parent_customer_id))
    return sorted(found, key=int)


def _listed(client: ServiceClient, name_prefix: str) -> list[tuple[str, str]]:
    infos, complete = client.customers_starting_with(name_prefix)
    if not complete:
        what = f"whose names start with {name_prefix!r}" if name_prefix else "(its maximum)"
        raise ExportError(
            f"GetCustomersInfo returned {len(infos)} customers {what}, as many as it can return, so some may be "
            "missing; export in parts with --name-prefix (or name them with --customer-id)"
        )
    return [(str(i["Id"]), str(i.get("Name") or "")) for i in infos]


@dataclass
class _Customer:
    record: Props
    live: list[Props]
    """The accounts to write (GetAccount records), the primary one included."""
    primary: Props


def _in_model_order(model: type[BaseModel], props: Mapping[str, Any]) -> Props:
    """``props`` with keys in the model's field order; nested models likewise; plain maps by key."""
    out: Props = {}
    for name, info in model.model_fields.items():
        if name not in props:
            continue
        value = props[name]
        nested = _model_in(info.annotation)
        if nested is not None and isinstance(value, dict):
            value = _in_model_order(nested, value)
        elif isinstance(value, dict):
            value = dict(sorted(value.items()))
        out[name] = value
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (``AddressModel | None`` -> ``AddressModel``), if any."""
    for candidate in getattr(annotation, "__args__", (annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _account_props(account: Props) -> Props:
    return _in_model_order(gitops.AccountEntry, fields.from_api(fields.account_fields(), account))


def _customer_props(customer: Props) -> Props:
    return _in_model_order(CustomerModel, fields.from_api(fields.customer_fields(), customer))


def _choose_primary(customer_id: str, live: list[Props], chosen: str | None) -> Props:
    if chosen is not None:
        match = [a for a in live if str(a["Id"]) == chosen]
        if not match:
            ids = ", ".join(str(a["Id"]) for a in live) or "none"
            raise ExportError(
                f"--primary {customer_id}={chosen}: account {chosen} is not a live account of customer "
                f"{customer_id} (its live accounts: {ids})"
            )
        return match[0]
    billed_elsewhere = [a for a in live if str(a.get("BillToCustomerId") or customer_id) != customer_id]
    return min(billed_elsewhere or live, key=lambda a: int(a["Id"]))


def export(
    client: ServiceClient,
    *,
    customer_ids: Sequence[str] = (),
    name_prefix: str = "",
    include_inactive: bool = False,
    primary: Mapping[str, str] | None = None,
    exported_at: dt.datetime | None = None,
    source: str = "<export>",
    progress: Callable[[int, int, str], None] | None = None,
    output_format: str = "yaml",
) -> Export:
    """Read the estate and build the GitOps file that adopts it (``Export.text``); raises ExportError.

    ``customer_ids`` reads only those customers (no listing); ``name_prefix`` keeps the customers whose
    names start with it (case-insensitive); ``primary`` maps a customer id to the account id that is
    its primary account; ``progress(done, total, customer_id)`` is told before each customer is read.
    ``output_format`` "python" makes ``Export.text`` the Pulumi program that declares what the file does.
    """
    if output_format not in FORMATS:
        raise ExportError(f"unknown format {output_format!r} (choose from {', '.join(FORMATS)})")
    primary = dict(primary or {})
    aggregators = aggregator_customers(client)
    skipped: list[Skipped] = []
    if customer_ids:
        wanted = list(dict.fromkeys(str(i) for i in customer_ids))
    else:
        wanted = [i for i, _ in sorted(_listed(client, name_prefix), key=lambda c: int(c[0]))]
    read: list[_Customer] = []
    for done, customer_id in enumerate(wanted):
        if customer_id in aggregators:  # listed too (GetCustomersInfo lists every customer the user reaches)
            if customer_ids:
                skipped.append(Skipped("customer", customer_id, "", "the aggregator's own customer, not a client"))
            continue
        if progress is not None:
            progress(done, len(wanted), customer_id)
        try:
            record = client.get_customer(customer_id)
        except NotFoundError:
            raise ExportError(f"no customer {customer_id} exists for this user") from None
        name = str(record.get("Name") or "")
        if not name.casefold().startswith(name_prefix.casefold()):
            continue
        if record.get("CustomerLifeCycleStatus") == INACTIVE:
            skipped.append(Skipped("customer", customer_id, name, "Inactive"))
            continue
        listing = sorted(client.accounts_of(customer_id), key=lambda a: int(a["Id"]))
        active = [a for a in listing if a.get("AccountLifeCycleStatus") != INACTIVE]
        for account in listing:
            if account not in active and not include_inactive:
                reason = "Inactive (--include-inactive writes it)"
                skipped.append(Skipped("account", str(account["Id"]), str(account.get("Name")), reason, customer_id))
        if not active:
            skipped.append(Skipped("customer", customer_id, name, "no live account to be its primary account"))
            primary.pop(customer_id, None)
            continue
        accounts = [client.get_account(str(a["Id"])) for a in (listing if include_inactive else active)]
        live = [a for a in accounts if a.get("AccountLifeCycleStatus") != INACTIVE]
        read.append(_Customer(record, accounts, _choose_primary(customer_id, live, primary.pop(customer_id, None))))
    if primary:
        named = ", ".join(f"{c}={a}" for c, a in sorted(primary.items()))
        raise ExportError(f"--primary {named}: no such customer is exported (check the id and the filters)")
    if not read:
        raise ExportError("no customer to export" + (f"; skipped: {'; '.join(map(str, skipped))}" if skipped else ""))
    data, included = _document(read)
    count = sum(1 + len(c.get("accounts", {})) for c in data["customers"].values())
    about = _about(
        client,
        len(read),
        count,
        customer_ids=customer_ids,
        name_prefix=name_prefix,
        include_inactive=include_inactive,
        skipped=skipped,
        exported_at=exported_at,
    )
    text = _yaml_header(about) + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096
    )
    try:
        state = gitops.loads(text, source)
    except gitops.DesiredStateError as error:
        raise ExportError(f"the exported file would not load, so it was not written:\n{error}") from None
    if output_format == "python":
        text = python_program(state, about)
        try:
            compile(text, source, "exec")
        except SyntaxError as error:  # not expected: every value is a literal; refuse it all the same
            raise ExportError(f"the exported program would not compile, so it was not written: {error}") from None
    return Export(data, text, len(read), count, skipped, included, state)


def _document(read: list[_Customer]) -> tuple[Props, list[str]]:
    keys = unique_keys(((str(c.record["Id"]), str(c.record.get("Name") or "")) for c in read), "customer")
    customers: Props = {}
    included: list[str] = []
    for customer in sorted(read, key=lambda c: keys[str(c.record["Id"])]):
        customer_id = str(customer.record["Id"])
        key = keys[customer_id]
        name = str(customer.record.get("Name") or "")
        others = [a for a in customer.live if a is not customer.primary]
        account_keys = unique_keys(
            ((str(a["Id"]), account_key_name(str(a.get("Name") or ""), name)) for a in others), "account"
        )
        entries: Props = {}
        for account in sorted(others, key=lambda a: account_keys[str(a["Id"])]):
            account_key = account_keys[str(account["Id"])]
            entries[account_key] = _in_model_order(
                gitops.AccountEntry, {**_account_props(account), "adopt_id": str(account["Id"])}
            )
            if account.get("AccountLifeCycleStatus") == INACTIVE:
                included.append(f"customers.{key}.accounts.{account_key}")
        values = {
            **_customer_props(customer.record),
            "adopt_id": customer_id,
            "account": _account_props(customer.primary),
        }
        entry = _in_model_order(CustomerModel, values)
        if entries:
            entry["accounts"] = entries
        customers[key] = entry
    return {"customers": customers}, included


def _about(
    client: ServiceClient,
    customers: int,
    accounts: int,
    *,
    customer_ids: Sequence[str],
    name_prefix: str,
    include_inactive: bool,
    skipped: list[Skipped],
    exported_at: dt.datetime | None,
) -> tuple[str, str]:
    """The header's two lines on what was exported: when, from where, how much, with which filters."""
    when = (exported_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    filters = [f"--customer-id {i}" for i in customer_ids]
    filters += [f"--name-prefix {name_prefix!r}"] if name_prefix else []
    filters += ["--include-inactive"] if include_inactive else []
    return (
        f"Exported by `msads export` at {when} from Microsoft Advertising ({client.config.environment}):",
        f"{customers} client customer{_s(customers)} and {accounts} account{_s(accounts)}"
        + (f", selected by {' '.join(filters)}" if filters else "")
        + (f"; {len(skipped)} left out (see the command's summary)" if skipped else "")
        + ".",
    )


def _yaml_header(about: tuple[str, str]) -> str:
    lines = [
        SCHEMA_LINE,
        "#",
        *(f"# {line}" for line in about),
        "# Every entry adopts its live object (adopt_id) and declares its live values, so applying this file",
        "# changes nothing. Review it, then merge it into the stack's accounts.yaml: docs/gitops.md,",
        '# "Bringing an existing estate under management". Check it: msads check accounts.yaml',
        "",
    ]
    return "\n".join(lines) + "\n"


# -- the Pulumi program (--format python) ---------------------------------------------------------------------

INDENT = "    "
CUSTOMER_ID = "customer.customer_id"
"""An account's ``customer_id``: its customer's output, as examples/gitops/__main__.py wires it."""

PROGRAM_PRELUDE = '''
import pulumi
from pulumi_msads import Account, Customer


def outputs(customer: Customer, accounts: dict[str, Account]) -> dict[str, object]:
    """A customer's ids and numbers, and its accounts', as examples/gitops/__main__.py exports them."""
    numbers = {}
    for key, account in accounts.items():
        numbers[key] = {
            "account_id": account.account_id,
            "account_number": account.account_number,
        }
    return {
        "customer_id": customer.customer_id,
        "customer_number": customer.customer_number,
        "account_id": customer.account_id,
        "account_number": customer.account_number,
        "accounts": numbers,
    }


customers = {}
'''

PROGRAM_END = """
# One Output for the whole map, as examples/gitops/__main__.py exports it.
pulumi.export("customers", pulumi.Output.from_input(customers))
"""


def python_program(state: gitops.DesiredState, about: tuple[str, str]) -> str:
    """The Pulumi program that declares what ``state`` declares, as examples/gitops/__main__.py does.

    Each customer is a block: ``key = "<key>"``, ``customer = Customer(key, {...})``, its additional
    accounts as ``Account(f"{key}/<account key>", {..., "customer_id": customer.customer_id})`` and its
    entry in the ``customers`` output. The inputs are those of the GitOps program (the file's entries
    through ``customer_inputs`` and ``gitops.account_inputs``), written as literals in their order.
    """
    lines = [
        '"""A Pulumi program: the agency\'s client customers and accounts, each adopting its live object.',
        "",
        *about,
        "Every resource adopts its live object (adopt_id) and declares its live values, so applying",
        "this program changes nothing. It declares the resources (types, names, inputs) and the",
        "`customers` output that examples/gitops/__main__.py declares from the same estate exported",
        "as accounts.yaml. Review it, then make it the stack's __main__.py: docs/gitops.md,",
        '"Bringing an existing estate under management".',
        '"""',
    ]
    blocks = []
    for key, entry in state.customers.items():
        accounts = {
            _string(account_key): _call(
                "Account",
                "f" + _string("{key}/" + account_key),
                _literal(
                    gitops.account_inputs(account, state.deletion_policy), 2, {_string("customer_id"): CUSTOMER_ID}
                ),
                1,
            )
            for account_key, account in entry.accounts.items()
        }
        customer = _call("Customer", "key", _literal(entry.customer_inputs(state.deletion_policy), 1), 0)
        blocks.append(
            f"key = {_string(key)}\n"
            f"customer = {customer}\n"
            f"accounts = {_literal({}, 0, accounts)}\n"
            "customers[key] = outputs(customer, accounts)\n"
        )
    return _docstring_safe(lines) + PROGRAM_PRELUDE + "".join(f"\n{block}" for block in blocks) + PROGRAM_END


def _call(function: str, name: str, inputs: str, depth: int) -> str:
    """``function(name, inputs)``, one argument a line (the inputs are written at ``depth + 1``)."""
    pad = INDENT * (depth + 1)
    return f"{function}(\n{pad}{name},\n{pad}{inputs},\n{INDENT * depth})"


def _docstring_safe(lines: list[str]) -> str:
    """The docstring's lines as one text; a backslash or three quotes in a line (a name prefix) escaped."""
    body = [line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').rstrip() for line in lines[1:-1]]
    return "\n".join([lines[0], *body, lines[-1]]) + "\n"


def _literal(value: Any, depth: int = 0, code: Mapping[str, str] | None = None) -> str:
    """``value`` as a Python literal, as ruff format writes it: a dict or list one item a line with a
    trailing comma, strings in double quotes unless that needs more escapes. ``code`` adds entries to a
    dict whose values are expressions, keys and values written as they are."""
    pad = INDENT * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{_string(str(k))}: {_literal(v, depth + 1)}," for k, v in value.items()]
        items += [f"{pad}{k}: {expression}," for k, expression in (code or {}).items()]
        return "{\n" + "\n".join(items) + f"\n{INDENT * depth}}}" if items else "{}"
    if isinstance(value, list | tuple):
        items = [f"{pad}{_literal(v, depth + 1)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{INDENT * depth}]" if items else "[]"
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise ExportError(f"cannot write {value!r} (a {type(value).__name__}) as a Python literal")


def _string(text: str) -> str:
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = []
    for char in text:
        if char in ("\\", quote):
            body.append("\\" + char)
        elif char.isprintable() or char == " ":
            body.append(char)
        else:
            body.append(repr(char)[1:-1])  # \n, \t, \x00, \u2028: as repr writes it
    return quote + "".join(body) + quote


__all__ = ["FORMATS", "Export", "ExportError", "Skipped", "export", "python_program", "slug", "unique_keys"]
