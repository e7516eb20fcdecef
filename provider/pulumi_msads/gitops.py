"""GitOps desired state: every customer and account in one YAML file, checked before anything is sent.

The file maps stable keys to entries::

    customers:
      contoso:                 # the Customer resource "contoso"
        name: Contoso Outdoor  # ... every CustomerModel property, the primary account under `account`
        accounts:
          brand:               # the Account resource "contoso/brand"
            name: Contoso Outdoor - Brand

Entries are the provider's own models (``CustomerModel``, ``AccountFieldsModel``), so the file is
checked by exactly the rules ``check`` applies. Keys, not positions, name the resources: reordering
or reformatting the file changes nothing. ``load`` reports every problem at once, each by its path
in the file and its line, and raises before any resource is declared.

Commands::

    python -m pulumi_msads.gitops check FILE...   # validate, exit 1 listing every problem
    python -m pulumi_msads.gitops schema          # the file's JSON Schema (for editors)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from . import rules
from .config import ENVIRONMENTS, Environment
from .errors import InputError
from .models import (
    AccountFieldsModel,
    AccountModel,
    CustomerModel,
    DeletionPolicy,
    Id,
    Model,
    coerce_id,
    deletion_policy_field,
    describe_errors,
    failure_path,
)

KEY_PATTERN = r"[a-z0-9][a-z0-9_-]{0,62}"
_KEY_RULE = "{key!r} is not a valid key: use lowercase letters, digits, '-' and '_', at most 63"


def _key(value: str) -> str:
    if not re.fullmatch(KEY_PATTERN, value):
        raise PydanticCustomError("key", "{message}", {"message": _KEY_RULE.format(key=value)})
    return value


Key = Annotated[
    str,
    AfterValidator(_key),
    WithJsonSchema({"type": "string", "pattern": f"^{KEY_PATTERN}$"}),
]
"""A stable key: it becomes (part of) a logical resource name, so renaming it replaces the resource."""

_KEYS_ONLY: dict[str, Any] = {"additionalProperties": False}
_ACCOUNT_ADOPT_ID: Any = AccountModel.model_fields["adopt_id"]
_ACCOUNT_DELETION_POLICY: Any = AccountModel.model_fields["deletion_policy"]


class AccountIds(Model):
    """An account's ids in one environment (sandbox and production hold different objects)."""

    adopt_id: Id | None = Field(None, description="The account to adopt in this environment.")


class CustomerIds(AccountIds):
    """A customer's ids in one environment."""

    adopt_id: Id | None = Field(None, description="The customer to adopt in this environment.")
    parent_customer_id: Id | None = Field(None, description="The aggregator customer in this environment.")


ENVIRONMENTS_DESCRIPTION = (
    "Ids that differ by environment, by msads:environment (production, sandbox, local): the stack's environment's "
    "values replace the entry's own, so that one file declares the sandbox and the production stacks."
)


class AccountEntry(AccountFieldsModel):
    """An additional account of the customer: an Account resource, created with AddAccount."""

    adopt_id: Id | None = _ACCOUNT_ADOPT_ID
    deletion_policy: DeletionPolicy | None = _ACCOUNT_DELETION_POLICY
    environments: dict[Environment, AccountIds] = Field(
        default_factory=dict, description=ENVIRONMENTS_DESCRIPTION, json_schema_extra=_KEYS_ONLY
    )


class CustomerEntry(CustomerModel):
    """A client customer with its primary account (a Customer resource) and its additional accounts."""

    accounts: dict[Key, AccountEntry] = Field(
        default_factory=dict,
        description="Additional accounts by key; each is the Account resource named '<customer key>/<key>'.",
        json_schema_extra=_KEYS_ONLY,
    )
    environments: dict[Environment, CustomerIds] = Field(
        default_factory=dict, description=ENVIRONMENTS_DESCRIPTION, json_schema_extra=_KEYS_ONLY
    )

    def customer_inputs(self, deletion_policy: str | None = None, environment: str | None = None) -> dict[str, Any]:
        """The Customer resource's inputs: every property but ``accounts``, unset ones left out;
        ``deletion_policy`` (the file's default) where the entry sets none; the ids of ``environment``."""
        inputs = self.model_dump(exclude={"accounts", "environments"}, exclude_none=True)
        return _with_policy(_for_environment(inputs, self.environments, environment), deletion_policy)


def _with_policy(inputs: dict[str, Any], deletion_policy: str | None) -> dict[str, Any]:
    if deletion_policy is not None:
        inputs.setdefault("deletion_policy", deletion_policy)
    return inputs


def _for_environment(inputs: dict[str, Any], environments: Any, environment: str | None) -> dict[str, Any]:
    """``inputs`` with the ids the entry declares for ``environment`` in place of its own."""
    ids = environments.get(environment) if environment else None
    return inputs | (ids.model_dump(exclude_none=True) if ids is not None else {})


class DesiredState(Model):
    """Customers and their accounts, as one file declares them."""

    customers: dict[Key, CustomerEntry] = Field(
        description="Client customers by key; each key is the Customer resource's logical name.",
        json_schema_extra=_KEYS_ONLY,
    )
    deletion_policy: DeletionPolicy | None = deletion_policy_field(
        "the accounts (a customer's: its primary account) of every entry that sets none itself"
    )
    allow_empty: bool = Field(
        False,
        description="Accept a file without customers. Applying one removes every customer and account the stack "
        "manages (each by its deletion_policy), so an empty or truncated-to-nothing file is refused without it.",
    )


def account_name(customer_key: str, account_key: str) -> str:
    """The logical name of an additional account: keys cannot contain '/', so no two accounts share one."""
    return f"{customer_key}/{account_key}"


def account_inputs(
    entry: AccountEntry, deletion_policy: str | None = None, environment: str | None = None
) -> dict[str, Any]:
    """An Account resource's inputs without ``customer_id`` (the program wires it to the customer's output);
    ``deletion_policy`` (the file's default) where the entry sets none; the ids of ``environment``."""
    inputs = entry.model_dump(exclude={"environments"}, exclude_none=True)
    return _with_policy(_for_environment(inputs, entry.environments, environment), deletion_policy)


class DesiredStateError(InputError):
    """The desired-state file is not valid: ``failures`` pairs each path in the file with what is wrong,
    and ``lines`` holds the line of each (``None`` where the file has no line for it)."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str, int | None]]) -> None:
        super().__init__([(path, reason) for path, reason, _ in problems])
        self.source = source
        self.lines = [line for _, _, line in problems]

    def __str__(self) -> str:
        count = len(self.failures)
        rows = [f"{self.source}: {count} problem{'s' if count != 1 else ''}, nothing was sent:"]
        for (path, reason), line in zip(self.failures, self.lines, strict=True):
            rows.append(f"  {f'line {line}: ' if line else ''}{path or '(the file)'}: {reason}")
        return "\n".join(rows)


# -- loading -----------------------------------------------------------------------------------------------------


MAX_FILE_BYTES = 16 * 1024 * 1024
"""A file larger than this is refused before it is parsed: 900 accounts take about 300 kB."""
MAX_DEPTH = 50
"""Deeper nesting than any valid file has (four levels) is refused, before PyYAML's recursion runs out."""


def load(path: str | Path) -> DesiredState:
    """The desired state in the YAML file at ``path``; raises DesiredStateError listing every problem."""
    path = Path(path)
    return loads(read_text(path.read_bytes(), str(path)), str(path))


def read_text(data: bytes, source: str) -> str:
    """A file's text: UTF-8 (a BOM allowed), or UTF-16 with its BOM as some Windows editors save it.

    Anything else is refused in one line that names the file and the first byte that is not UTF-8,
    with what to do, instead of a UnicodeDecodeError.
    """
    if len(data) > MAX_FILE_BYTES:
        raise DesiredStateError(
            source, [("", f"the file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} are read", None)]
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            return _not_text(source, data, error, "UTF-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _not_text(source, data, error, "UTF-8")


def _not_text(source: str, data: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    before = data[: error.start]
    line, column = before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
    raise DesiredStateError(
        source,
        [
            (
                "",
                f"not {encoding} text: byte 0x{data[error.start]:02x} at column {column} cannot be decoded; save the "
                "file as UTF-8",
                line,
            )
        ],
    )


def loads(text: str, source: str = "<string>") -> DesiredState:
    """The desired state in ``text`` (YAML); ``source`` names it in errors."""
    problems: list[tuple[str, str, int | None]] = []
    lines: dict[str, int] = {}
    data = _parse(text, problems, lines)
    if not problems or data is not None:
        problems += [(path, reason, _line(path, lines)) for path, reason in _check(data)]
    if not problems:
        try:
            return DesiredState.model_validate(data)
        except ValidationError as error:  # not expected once _check passed; report it all the same
            problems += [(path, reason, _line(path, lines)) for path, reason in describe_errors(error, DesiredState)]
    problems.sort(key=lambda problem: problem[2] or 0)  # in file order
    raise DesiredStateError(source, problems)


YAML_HINTS = (
    (
        "mapping values are not allowed here",
        "a line has a ':' where its value should be: it may be indented deeper than the key above it, or a "
        "value with ': ' in it needs quotes",
    ),
    (
        "could not find expected ':'",
        "a line is not 'key: value': check that it lines up with the keys beside it and that its quotes are closed",
    ),
    (
        "expected <block end>",
        "a line is indented differently from the keys beside it (each level is two more spaces than its parent)",
    ),
    (
        "did not find expected key",
        "a line is indented differently from the keys beside it (each level is two more spaces than its parent)",
    ),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    ("found undefined alias", "an alias (*name) with no anchor (&name) defined above it"),
)
"""PyYAML's problems that hand-edited files hit most, each with what to look for, in our words."""


def _parse(text: str, problems: list[tuple[str, str, int | None]], lines: dict[str, int]) -> Any:
    """YAML (safe) to data. Duplicate keys are problems (the data keeps the last); ``lines`` gets every path's line."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # its reader already refuses some characters, so inside the try
        node = loader.get_single_node()
        if node is None:
            problems.append(("", "the file is empty; it needs a 'customers' mapping", None))
            return None
        _walk(node, (), problems, lines, set())
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = str(getattr(error, "problem", None) or error)
        reason = f"not valid YAML: {problem}" + (f" (column {mark.column + 1})" if mark else "")
        hint = next((h for known, h in YAML_HINTS if known in problem), None)
        problems.append(("", reason + (f"; {hint}" if hint else ""), mark.line + 1 if mark else None))
        return None
    except RecursionError:
        problems.append(("", f"the file nests deeper than any valid one (more than {MAX_DEPTH} levels)", None))
        return None
    finally:
        if loader is not None:
            loader.dispose()


def _walk(
    node: yaml.Node,
    location: tuple[str | int, ...],
    problems: list[tuple[str, str, int | None]],
    lines: dict[str, int],
    seen: set[int],
) -> None:
    if id(node) in seen:  # an alias: already walked where its anchor is (and never twice, however often used)
        return
    if len(location) > MAX_DEPTH:
        raise RecursionError(f"deeper than {MAX_DEPTH}")
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                _walk(value_node, location, problems, lines, seen)
                continue
            key, line = str(key_node.value), key_node.start_mark.line + 1
            here = (*location, key)
            if key in first:  # the data keeps the last one, so lines do too
                problems.append((failure_path(here), f"duplicate key {key!r}: also at line {first[key]}", line))
            first[key] = line
            lines[failure_path(here)] = line
            _walk(value_node, here, problems, lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[failure_path((*location, index))] = item.start_mark.line + 1
            _walk(item, (*location, index), problems, lines, seen)


def _line(path: str, lines: dict[str, int]) -> int | None:
    """The line of ``path``, or of the nearest enclosing path the file spells out."""
    while path:
        if path in lines:
            return lines[path]
        path = path[: max(path.rfind("."), path.rfind("["), 0)]
    return None


# -- checking ----------------------------------------------------------------------------------------------------


class _FileShape(Model):
    customers: dict[str, dict[str, Any]]
    deletion_policy: DeletionPolicy | None = None
    allow_empty: bool = False


class _CustomerShape(CustomerModel):
    accounts: dict[str, dict[str, Any]] = {}
    environments: dict[Environment, CustomerIds] = {}


def _check(data: Any) -> list[tuple[str, str]]:
    """Every problem in the file.

    Validated piece by piece (the file, each customer, each account) with the provider's models, so a
    path never runs through a map key and ``describe_errors`` can suggest the property meant.
    """
    failures = _describe(_FileShape, data, "") + _empty(data)
    adopted: dict[tuple[str, str | None], dict[str, str]] = {}
    for where, key, customer in _entries(data, ""):
        failures += _adopted_twice(adopted, "customer", where, customer)
        failures += _bad_key(where, key)
        failures += _describe(_CustomerShape, customer, where)
        names = {_name(customer.get("account")): f"{where}.account"}
        failures += _too_many_accounts(customer, where)
        for account_where, account_key, account in _entries(customer, where):
            failures += _bad_key(account_where, account_key)
            failures += _describe(AccountEntry, account, account_where)
            failures += _adopted_twice(adopted, "account", account_where, account)
            name = _name(account)
            if name is not None and name in names:
                failures.append(
                    (
                        f"{account_where}.name",
                        f"{account['name']!r} is also the name of {names[name]}; "
                        "account names must be unique within a customer",
                    )
                )
            names.setdefault(name, account_where)
    return [(path, _with_hint(path, reason, data)) for path, reason in failures]


def _too_many_accounts(customer: Any, where: str) -> list[tuple[str, str]]:
    """At most six accounts per customer, the primary one included (guides/entity-hierarchy-limits.md)."""
    accounts = customer.get("accounts") if isinstance(customer, dict) else None
    count = 1 + (len(accounts) if isinstance(accounts, dict) else 0)
    if count <= rules.ACCOUNTS_PER_CUSTOMER_MAX:
        return []
    return [
        (
            f"{where}.accounts",
            f"{count} accounts with the primary one; a customer can have at most {rules.ACCOUNTS_PER_CUSTOMER_MAX}, "
            "so the service would refuse the others: move some to another customer",
        )
    ]


def _empty(data: Any) -> list[tuple[str, str]]:
    """A file with no customers removes everything the stack manages: refused unless it says so."""
    if not isinstance(data, dict) or data.get("customers") != {} or data.get("allow_empty") is True:
        return []
    return [
        (
            "customers",
            "no customers: applying this file would remove every customer and account the stack manages; if that "
            "is what you mean, add `allow_empty: true` at the top of the file",
        )
    ]


def _adopted_twice(
    seen: dict[tuple[str, str | None], dict[str, str]], kind: str, where: str, entry: dict[str, Any]
) -> list[tuple[str, str]]:
    """One live object, one entry: two resources adopting the same id would overwrite each other. Checked
    for the entry's own adopt_id and in each environment (where an environment's adopt_id replaces it)."""
    found = []
    for environment, adopt_id, path in _adopt_ids(entry, where):
        taken = seen.setdefault((kind, environment), {})
        inherited = ".environments." not in path and ".environments." not in taken.get(adopt_id, "")
        if adopt_id in taken and taken[adopt_id] != path and not (environment and inherited):
            scope = f" in {environment}" if environment and ".environments." not in taken[adopt_id] else ""
            found.append((path, f"{adopt_id!r} is also adopted by {taken[adopt_id]}{scope}; one object, one entry"))
        taken.setdefault(adopt_id, path)
    return list(dict.fromkeys(found))


def _adopt_ids(entry: dict[str, Any], where: str) -> list[tuple[str | None, str, str]]:
    """(environment or None, adopt_id, its path) of every id the entry adopts, environment by environment."""
    own = coerce_id(entry.get("adopt_id"))
    environments = entry.get("environments")
    found: list[tuple[str | None, str, str]] = [(None, own, f"{where}.adopt_id")] if isinstance(own, str) else []
    for environment in ENVIRONMENTS:
        ids = environments.get(environment) if isinstance(environments, dict) else None
        value = coerce_id(ids.get("adopt_id")) if isinstance(ids, dict) else None
        if isinstance(value, str):
            found.append((environment, value, f"{where}.environments.{environment}.adopt_id"))
        elif isinstance(own, str):
            found.append((environment, own, f"{where}.adopt_id"))
    return found


def _entries(parent: Any, where: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, key, entry) of each mapping entry under ``customers`` (of the file) or ``accounts`` (of a customer)."""
    collection = "accounts" if where else "customers"
    entries = parent.get(collection) if isinstance(parent, dict) else None
    if not isinstance(entries, dict):
        return []
    prefix = f"{where}.{collection}" if where else collection
    return [
        (f"{prefix}.{key}", key, entry)
        for key, entry in entries.items()
        if isinstance(key, str) and isinstance(entry, dict)
    ]


def _bad_key(path: str, key: str) -> list[tuple[str, str]]:
    return [] if re.fullmatch(KEY_PATTERN, key) else [(path, _KEY_RULE.format(key=key) + " (it names a resource)")]


def _name(account: Any) -> str | None:
    name = account.get("name") if isinstance(account, dict) else None
    return name.casefold() if isinstance(name, str) else None


def _describe(model: type[BaseModel], data: Any, prefix: str) -> list[tuple[str, str]]:
    try:
        model.model_validate(data)
    except ValidationError as error:
        return [(_join(prefix, path), reason) for path, reason in describe_errors(error, model)]
    return []


def _join(prefix: str, path: str) -> str:
    if not prefix or not path:
        return prefix or path
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


_UNQUOTED = {bool: "a true/false value", int: "a number", float: "a number"}
_KINDS = {list: "a list", str: "a single value", bool: "a single value", int: "a single value", float: "a single value"}


def _with_hint(path: str, reason: str, data: Any) -> str:
    """Plainer words for a value of the wrong kind, and the reason for it when it is YAML's."""
    if "valid string" in reason:
        what = _UNQUOTED.get(type(_value_at(data, path)))
        return f"{reason}; YAML read this unquoted value as {what}: put it in quotes" if what else reason
    if reason.startswith("Input should be a valid dictionary"):
        value = _value_at(data, path)
        if value is None:
            collection = path == "customers" or path.endswith(".accounts")
            return "empty: expected key: value lines" + (" (or {} for none)" if collection else "")
        return f"expected key: value lines, not {_KINDS.get(type(value), 'this')}"
    return reason


def _value_at(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if isinstance(data, list) and part.startswith("["):
            index = int(part[1:-1])
            data = data[index] if index < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


# -- schema and command line -------------------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The file's JSON Schema (draft-07, what editors' YAML support implements), generated from the models."""
    schema = _without_nullable_unions(DesiredState.model_json_schema(ref_template="#/definitions/{model}"))
    definitions = schema.pop("$defs", {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **schema,
        "title": "pulumi-msads desired state",
        "definitions": definitions,
    }


def _without_nullable_unions(node: Any) -> Any:
    """``anyOf: [X, {type: null}]`` (an optional property) as ``X`` that also takes null, where X is a plain type.

    Editors report a value that fails an ``anyOf`` as "not valid under any of the given schemas"; merged, a
    typo in an enumeration is reported with the values allowed, and a too-long name with its limit.
    """
    if isinstance(node, list):
        return [_without_nullable_unions(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _without_nullable_unions(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(option for option in options if option != {"type": "null"})
        if isinstance(other.get("type"), str) and "$ref" not in other:
            merged = {key: value for key, value in node.items() if key != "anyOf"} | other
            merged["type"] = [other["type"], "null"]
            if "enum" in other:
                merged["enum"] = [*other["enum"], None]
            if "description" in node:
                merged["description"] = node["description"]
            return merged
    return node


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["schema"] and len(args) == 1:
        sys.stdout.write(schema_text())
        return 0
    if args[:1] == ["check"] and len(args) > 1:
        status = 0
        for name in args[1:]:
            try:
                state = load(name)
            except DesiredStateError as error:
                print(error, file=sys.stderr)
                status = 1
            except OSError as error:
                print(f"{name}: {error.strerror}", file=sys.stderr)
                status = 1
            else:
                accounts = sum(1 + len(c.accounts) for c in state.customers.values())
                print(f"{name}: {len(state.customers)} customers, {accounts} accounts: valid")
        return status
    print("usage: python -m pulumi_msads.gitops schema | check FILE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
