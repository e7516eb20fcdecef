"""The dynamic providers: what Pulumi's engine calls for each Customer and Account.

The classes carry no attributes (see ``runtime``). The engine's rules shape every method here:
``check`` sees old and new *inputs*, may meet unknown values during preview and must not call
the service; ``diff``/``update``/``delete``/``read`` see old *outputs*; numbers arrive as floats
and ``None`` never arrives. ``diff`` always answers explicitly, so a new provider version alone
never updates anything.

The service-side steps (read-modify-write with TimeStamps, recovery after an ambiguous create,
the DeleteCustomer fallback) live in ``operations``; this module turns engine properties into
those calls and their results back into properties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pydantic import BaseModel, ValidationError

from . import fields, naming, operations, runtime, server_errors
from .client import ServiceClient
from .errors import ConfigurationError, IncompleteCreateError, InputError
from .fields import Props
from .models import AccountFieldsModel, AccountModel, CustomerModel, coerce_id, describe_errors, fields_at

PROVIDER_KEY = "__provider"

# What the service assigns or reports, output only: the resources' attributes and the schema's outputs.
CUSTOMER_OUTPUTS = (
    "customer_id",
    "customer_number",
    "customer_life_cycle_status",
    "customer_financial_status",
    "account_id",
    "account_number",
    "account_life_cycle_status",
    "account_financial_status",
    "create_time",
    "last_modified_time",
)
ACCOUNT_OUTPUTS = (
    "account_id",
    "account_number",
    "account_life_cycle_status",
    "account_financial_status",
    "create_time",
    "last_modified_time",
)


# -- inputs -------------------------------------------------------------------------------------------


def _unknown_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, Unknown):
        return [prefix]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_paths(v, (*prefix, str(k)))]
    return []


def _without_unknowns(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_unknowns(v) for k, v in value.items() if not isinstance(v, Unknown)}
    return value


ID_PROPERTIES = ("customer_id", "parent_customer_id", "adopt_id")


def check_inputs(model: type[BaseModel], news: Props) -> CheckResult:
    """Validate inputs; unknown values (preview) pass, and so does whatever depends on them.

    With unknowns the model cannot produce the checked inputs, so the known values come back as
    sent, normalized the same way (None and empty maps dropped, ids as strings); a property whose
    name the model does not know is refused whether or not its value is known.
    """
    news = {k: v for k, v in news.items() if k != PROVIDER_KEY}
    unknown = _unknown_paths(news)
    failures = [
        CheckFailure(".".join(path), f"unknown property; allowed: {', '.join(allowed)}")
        for path in unknown
        if (allowed := fields_at(model, path[:-1])) and path[-1] not in allowed  # maps take any key
    ]
    try:
        checked = model.model_validate(_without_unknowns(news))
    except ValidationError as error:
        failures += [
            CheckFailure(path, reason)
            for path, reason in describe_errors(error, model)
            if not any(path == ".".join(u) or path.startswith(".".join(u) + ".") for u in unknown)
        ]
    else:
        if not unknown:
            return CheckResult(fields.normalize(checked.model_dump(exclude_none=True)), [])
    if failures:
        return CheckResult(news, failures)
    known_ids = {k: coerce_id(news[k]) for k in ID_PROPERTIES if k in news and not isinstance(news[k], Unknown)}
    return CheckResult(fields.normalize({**news, **known_ids}), [])


def check_all(
    model: type[BaseModel], news: Props, *, creating: bool, problem: ConfigurationError | None
) -> CheckResult:
    """``check``: the provider's configuration (``problem``: what is wrong with it) first, then the inputs.

    Check is the one call a preview always makes, so a broken configuration (a misspelt
    ``msads:environment``, a missing token) fails the preview in one line instead of the update.
    Failures name full property paths (``account.currency_code``); see ``_for_the_engine``.
    """
    if problem is not None:
        return CheckResult({k: v for k, v in news.items() if k != PROVIDER_KEY}, [CheckFailure("", str(problem))])
    result = check_inputs(model, news)
    if creating and not result.failures and not _unknown_paths(result.inputs) and not result.inputs.get("adopt_id"):
        result = CheckResult(result.inputs, _creation_failures(model, result.inputs))
    return result


def _creation_failures(model: type[BaseModel], inputs: Props) -> list[CheckFailure]:
    """What only a new account must have: the tax keys its country requires (advertiseraccount.md #taxinformation).

    Checked when the resource is created, not adopted, and not on update: the service requires these
    keys on add only (an AUGSTNumber, say, may be removed later).
    """
    checked = model.model_validate(inputs)
    account, prefix = (checked.account, "account.") if isinstance(checked, CustomerModel) else (checked, "")
    if not isinstance(account, AccountFieldsModel):
        return []
    return [
        CheckFailure(f"{prefix}tax_information", reason.removeprefix("tax_information: "))
        for reason in account.missing_tax_keys()
    ]


def _for_the_engine(failure: CheckFailure) -> CheckFailure:
    """A failure as the CLI should print it.

    The engine prints ``property <p> value {<inputs[p]>} has a problem`` and looks ``p`` up among
    the top-level inputs only (step_generator.go issueCheckFailures), so a nested path such as
    ``account.currency_code`` would show ``value {<nil>}``. A nested path leads the reason instead.
    """
    if "." not in failure.property:
        return failure
    return CheckFailure("", f"{failure.property}: {failure.reason}")


def _validated(model: type[BaseModel], props: Props) -> Props:
    """Inputs as ``check`` returns them; raises InputError if they are invalid after all."""
    result = check_inputs(model, props)
    if result.failures:
        raise InputError([(f.property, f.reason) for f in result.failures])
    return result.inputs


# -- diff ------------------------------------------------------------------------------------------------


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, Unknown) or _unknown_paths(new):
        return True
    return bool(fields.normalize(old) != fields.normalize(new))


def diff_fields(
    api: tuple[fields.ApiField, ...], olds: Props, news: Props, prefix: str = ""
) -> tuple[list[str], list[str]]:
    """(changed, replaced) property paths among the API fields declared in ``news``."""
    changed, replaced = [], []
    for field in api:
        if field.prop in news and _differs(olds.get(field.prop), news[field.prop]):
            changed.append(prefix + field.prop)
            if field.replace:
                replaced.append(prefix + field.prop)
    return changed, replaced


def _diff_ids(names: tuple[str, ...], olds: Props, news: Props) -> list[str]:
    """Declared ids that differ from the ones in state (a different owner means a new object)."""
    return [n for n in names if n in news and _differs(olds.get(n), news[n])]


def _settings_changed(names: tuple[str, ...], olds: Props, news: Props) -> list[str]:
    """The settings of the provider's own (deletion_policy, ...) that changed: state is rewritten, with no call."""
    return [n for n in names if _differs(olds.get(n), news.get(n))]


@dataclass(frozen=True)
class Changes:
    """What ``diff`` found, by property paths as the models name them (``account.currency_code``).

    The dynamic provider answers with ``result()``; the native one (``native_provider``) also names
    each path, and whether it forces a replacement, in a detailed diff.
    """

    updated: list[str]
    """API fields and ids whose declared value differs from state."""
    replacing: list[str]
    """Those of ``updated`` that force a replacement (nested paths too)."""
    replaces: list[str]
    """The top-level properties the engine is told force the replacement: a nested path forces its parent."""
    settings: list[str]
    """The provider's own settings that changed (no call)."""
    declared: list[str]
    """The paths the program started or stopped declaring (no call)."""
    delete_before_replace: bool

    @property
    def changes(self) -> bool:
        return bool(self.updated or self.declared or self.settings)

    def result(self) -> DiffResult:
        return DiffResult(
            changes=self.changes, replaces=self.replaces, delete_before_replace=self.delete_before_replace
        )


# -- outputs ---------------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def _status_outputs(prefix: str, entity: Props, status_fields: tuple[str, ...]) -> Props:
    out: Props = {
        f"{prefix}_id": str(entity["Id"]),
        f"{prefix}_number": entity.get("Number"),
    }
    for name in status_fields:
        out[naming.snake(name)] = entity.get(name)
    return out


def _id_text(value: Any) -> str | None:
    """The customer billed for an account, as an id string: another customer means a monthly invoice."""
    return None if value is None else str(value)


def customer_outputs(customer: Props, account: Props, kept: Props) -> Props:
    """Every output of a Customer resource, from a customer and its primary account as the API has them."""
    outs = fields.from_api(fields.customer_fields(), customer)
    outs["account"] = fields.from_api(fields.account_fields(), account)
    outs.update(_status_outputs("customer", customer, ("CustomerLifeCycleStatus", "CustomerFinancialStatus")))
    outs.update(_status_outputs("account", account, ("AccountLifeCycleStatus", "AccountFinancialStatus")))
    outs["bill_to_customer_id"] = _id_text(account.get("BillToCustomerId"))
    outs["last_modified_time"] = _iso(customer.get("LastModifiedTime"))
    outs.update(kept)
    normalized: Props = fields.normalize(outs)
    return normalized


def account_outputs(account: Props, kept: Props) -> Props:
    """Every output of an Account resource, from the account as the API has it."""
    outs = fields.from_api(fields.account_fields(), account)
    outs.update(_status_outputs("account", account, ("AccountLifeCycleStatus", "AccountFinancialStatus")))
    outs["customer_id"] = str(account.get("ParentCustomerId") or kept.get("customer_id"))
    outs["bill_to_customer_id"] = _id_text(account.get("BillToCustomerId"))
    outs["last_modified_time"] = _iso(account.get("LastModifiedTime"))
    outs.update(kept)
    normalized: Props = fields.normalize(outs)
    return normalized


def _kept(props: Props, names: tuple[str, ...]) -> Props:
    return {n: props[n] for n in names if props.get(n) is not None}


MANAGED = "managed_properties"
"""Output: the property paths the program declared (``name``, ``account.time_zone``, ...).

Refresh hands back as inputs exactly these paths, with their live values. The engine shows a
dynamic resource's diff as old inputs against new inputs, key by key (the Python server sends
no detailed diff), so any other live field returned as an input would print as a phantom
``- time_zone`` line at the next preview; leaving inputs alone would instead hide drift from the
preview's lines. ``read`` receives only old outputs, so the declared paths travel in them.
"""


def managed_paths(inputs: Props) -> list[str]:
    """The declared property paths of checked inputs: top-level keys, and the primary account's keys."""
    paths = [key for key in inputs if key != PROVIDER_KEY]
    account = inputs.get("account")
    if isinstance(account, dict):
        paths += [f"account.{key}" for key in account]
    return sorted(paths)


def _declared_changed(olds: Props, news: Props) -> list[str]:
    """The paths the program stopped (or started) declaring: then state is rewritten, with no call.

    Without this the step would be "same", the old outputs (and so the old declared paths) would
    stay, and the next refresh would bring the dropped property back as a phantom input.
    """
    managed = olds.get(MANAGED)
    if not isinstance(managed, list) or sorted(managed) == managed_paths(news):
        return []
    return sorted(set(map(str, managed)).symmetric_difference(managed_paths(news)))


def unknown() -> Unknown:
    """A value the engine shows as unknown (``output<string>``) until the service has said it."""
    return Unknown()  # type: ignore[no-untyped-call]


def _previewed(olds: Props, news: Props, settings: tuple[str, ...]) -> Props:
    """The outputs an update would give, known without a call: the old outputs with the declared values over
    them (the primary account's key by key, as the update writes it), the settings and declared paths as
    declared, and when it was changed unknown. What is not declared keeps its old value: the update leaves it."""
    outs = {k: v for k, v in olds.items() if k not in (PROVIDER_KEY, *settings)}
    for key, value in news.items():
        old = outs.get(key)
        outs[key] = (
            {**old, **value} if key == "account" and isinstance(old, dict) and isinstance(value, dict) else value
        )
    outs[MANAGED] = managed_paths(news)
    outs["last_modified_time"] = unknown()
    previewed: Props = fields.normalize({k: v for k, v in outs.items() if k != PROVIDER_KEY})
    return previewed


def _assigned(names: tuple[str, ...]) -> Props:
    """What the service assigns at creation (ids, numbers, statuses, times): unknown until it has."""
    return {name: unknown() for name in names}


def _inputs_from_outputs(outs: Props, api: tuple[fields.ApiField, ...], extra: tuple[str, ...]) -> Props:
    """The inputs that would produce ``outs``: what refresh hands back as the new stored inputs.

    Only the declared paths (``MANAGED``); state written before they were recorded gets every field.
    """
    inputs: Props = fields.normalize({f.prop: outs.get(f.prop) for f in api} | {n: outs.get(n) for n in extra})
    managed = outs.get(MANAGED)
    if not isinstance(managed, list):
        return inputs
    declared: Props = {key: value for key, value in inputs.items() if key in managed}
    if isinstance(inputs.get("account"), dict) and "account" in managed:
        declared["account"] = {k: v for k, v in inputs["account"].items() if f"account.{k}" in managed}
    return declared


# -- providers ------------------------------------------------------------------------------------------


def stored_config_client(connect: Callable[[], ServiceClient] = runtime.client) -> ServiceClient:
    """The client for ``read`` and ``delete``: a broken configuration there says where it comes from.

    `pulumi refresh` and `pulumi destroy` do not run the program: the engine configures the
    provider with the configuration stored by the last deployment (pulumi/pulumi#7370), so fixing
    Pulumi.<stack>.yaml alone does not reach them. ``connect``: the client of the process
    (``runtime``), or of one native provider instance.
    """
    try:
        return connect()
    except ConfigurationError as error:
        raise ConfigurationError(
            f"{error}. Refresh and destroy use the configuration stored by the last `pulumi up`; once it is "
            "fixed in the stack's config, run `pulumi up` (or `pulumi destroy --run-program`)"
        ) from None


@dataclass
class Creation:
    """What a create made, and the error of a step after it that failed (None when every step passed)."""

    result: CreateResult
    incomplete: IncompleteCreateError | None = None


class _Base(ResourceProvider):
    serialize_as_secret_always = False
    """The provider blob holds only a module and class name: nothing secret, so no need to encrypt it."""

    def configure(self, req: ConfigureRequest) -> None:
        server_errors.install()
        runtime.configure(req.config.get)

    # Where the configuration and the service come from: the process's (``runtime``) here; the native
    # provider (``native_provider``) overrides these three to give each provider instance its own.

    def configuration_error(self) -> ConfigurationError | None:
        return runtime.configuration_error()

    def client(self) -> ServiceClient:
        return runtime.client()

    def stored_config_client(self) -> ServiceClient:
        """The client for ``read`` and ``delete`` (``stored_config_client``)."""
        return stored_config_client()

    def check_paths(self, olds: Props, news: Props) -> CheckResult:
        """``check`` with failures at full property paths."""
        raise NotImplementedError

    def diff_paths(self, id_: str, olds: Props, news: Props) -> Changes:
        """``diff`` by property path."""
        raise NotImplementedError

    def create_steps(self, props: Props) -> Creation:
        """``create``, and whether a step after the create failed: the resource exists, but without what that
        step sets. The dynamic provider cannot record a failed create, so ``create`` records it as made (and
        logs why); the native provider records it and fails the step (``native_provider``)."""
        return Creation(self.create(props))

    def preview_create(self, props: Props, configured_parent: str | None) -> Props:
        """The outputs ``create`` would give, as far as they are known without a call: for a preview that shows
        them (the native provider's ``supportsPreview``). ``configured_parent``: msads:parentCustomerId."""
        raise NotImplementedError

    def preview_update(self, olds: Props, news: Props) -> Props:
        """The outputs ``update`` would give, known without a call (``_previewed``)."""
        raise NotImplementedError

    def check(self, olds: Props, news: Props) -> CheckResult:
        result = self.check_paths(olds, news)
        return CheckResult(result.inputs, [_for_the_engine(f) for f in result.failures])

    def diff(self, _id: str, olds: Props, news: Props) -> DiffResult:
        return self.diff_paths(_id, olds, news).result()


CUSTOMER_SETTINGS = ("adopt_id", "allow_duplicate_name", "deletion_policy")
"""Inputs that are the provider's own, not API fields: kept in state as declared, changed without a call."""
CUSTOMER_KEPT = ("parent_customer_id", *CUSTOMER_SETTINGS, "create_time", MANAGED)


class CustomerProvider(_Base):
    """A client customer and its primary account (SignupCustomer, GetCustomer, UpdateCustomer, ...)."""

    def check_paths(self, olds: Props, news: Props) -> CheckResult:
        return check_all(CustomerModel, news, creating=not olds, problem=self.configuration_error())

    def diff_paths(self, _id: str, olds: Props, news: Props) -> Changes:
        changed, replaced = diff_fields(fields.customer_fields(), olds, news)
        replacing = list(replaced)
        new_account, old_account = news.get("account"), olds.get("account") or {}
        if isinstance(new_account, Unknown):
            changed.append("account")
        elif isinstance(new_account, dict):
            more, more_replaced = diff_fields(fields.account_fields(), old_account, new_account, "account.")
            changed += more
            replacing += more_replaced
            # The protocol's replace keys are top-level properties: the nested change forces "account".
            replaced += ["account"] if more_replaced else []
        ids = _diff_ids(("parent_customer_id",), olds, news)
        if isinstance(new_account, dict) and not _unknown_paths(new_account):
            account_olds = {**old_account, "bill_to_customer_id": olds.get("bill_to_customer_id")}
            operations.refuse_unchangeable(
                account_olds, new_account, f"the primary account {olds.get('account_id')} of customer {_id}", _id
            )
        operations.refuse_replacement(
            olds,
            f"customer {_id} (primary account {olds.get('account_id')})",
            replaced + ids,
            f"deactivates account {olds.get('account_id')} with DeleteAccount once the new customer exists (a new "
            "customer with the same name also needs allow_duplicate_name: true)",
        )
        return Changes(
            updated=changed + ids,
            replacing=replacing + ids,
            replaces=replaced + ids,
            settings=_settings_changed(CUSTOMER_SETTINGS, olds, news),
            declared=_declared_changed(olds, news),
            delete_before_replace=False,
        )

    def create(self, props: Props) -> CreateResult:
        inputs = _validated(CustomerModel, props)
        result = operations.create_customer(self.client(), inputs)
        kept = _kept(inputs, CUSTOMER_SETTINGS) | {"parent_customer_id": result.parent_customer_id}
        kept[MANAGED] = managed_paths(inputs)
        if result.create_time is not None:
            kept["create_time"] = _iso(result.create_time)
        if result.customer is not None and result.account is not None:
            outs = customer_outputs(result.customer, result.account, kept)
        else:
            # Created by one SignupCustomer call: no read, so outputs are the inputs plus what it returned.
            outs = fields.normalize(
                {
                    **inputs,
                    **kept,
                    "customer_id": result.customer_id,
                    "customer_number": result.customer_number,
                    "account_id": result.account_id,
                    "account_number": result.account_number,
                    # SignupCustomer without a UserInvitation bills the account to the aggregator's invoice
                    # (signupcustomer.md): its business address is then read-only (diff refuses a change).
                    "bill_to_customer_id": result.parent_customer_id,
                    "last_modified_time": kept.get("create_time"),
                }
            )
        return CreateResult(str(result.customer_id), outs)

    def preview_create(self, props: Props, configured_parent: str | None) -> Props:
        parent = props.get("parent_customer_id") or configured_parent or unknown()  # else GetUser says, at create
        kept = _kept(props, CUSTOMER_SETTINGS) | {MANAGED: managed_paths(props)}
        outs = {**props, **_assigned(CUSTOMER_OUTPUTS), **kept, "parent_customer_id": parent}
        outs["bill_to_customer_id"] = parent  # SignupCustomer bills the account to the aggregator (see create)
        previewed: Props = fields.normalize(outs)
        return previewed

    def preview_update(self, olds: Props, news: Props) -> Props:
        return _previewed(olds, news, CUSTOMER_SETTINGS)

    def read(self, id_: str, props: Props) -> ReadResult:
        customer_id, named = operations.customer_read_id(id_)
        account_id = named or props.get("account_id")
        client = self.stored_config_client()
        found = operations.read_customer(client, customer_id, account_id, named=named is not None)
        if found is None:
            return ReadResult(None, {})
        customer, account = found
        outs = customer_outputs(customer, account, _kept(props, CUSTOMER_KEPT))
        extra = ("parent_customer_id", *CUSTOMER_SETTINGS, "account")
        inputs = _inputs_from_outputs(outs, fields.customer_fields(), extra)
        return ReadResult(customer_id, outs, inputs)

    def update(self, id_: str, olds: Props, news: Props) -> UpdateResult:
        inputs = _validated(CustomerModel, news)
        customer_changed, _ = diff_fields(fields.customer_fields(), olds, inputs)
        account_changed, _ = diff_fields(fields.account_fields(), olds.get("account") or {}, inputs["account"])
        client = self.client()
        outs = dict(olds)
        outs.pop(PROVIDER_KEY, None)
        customer, account = operations.write_customer_and_account(
            client,
            id_ if customer_changed else None,
            inputs,
            str(olds["account_id"]) if account_changed else None,
            inputs["account"],
        )
        if customer is not None:
            outs.update(fields.from_api(fields.customer_fields(), customer))
            outs.update(_status_outputs("customer", customer, ("CustomerLifeCycleStatus", "CustomerFinancialStatus")))
            outs["last_modified_time"] = _iso(customer.get("LastModifiedTime"))
        if account is not None:
            outs["account"] = fields.from_api(fields.account_fields(), account)
            outs.update(_status_outputs("account", account, ("AccountLifeCycleStatus", "AccountFinancialStatus")))
        for name in CUSTOMER_SETTINGS:
            outs.pop(name, None)
        outs.update(_kept(inputs, ("parent_customer_id", *CUSTOMER_SETTINGS)))
        outs[MANAGED] = managed_paths(inputs)
        return UpdateResult(fields.normalize(outs))

    def delete(self, id_: str, props: Props) -> None:
        operations.delete_customer(self.stored_config_client, id_, props)


ACCOUNT_SETTINGS = ("adopt_id", "deletion_policy")
ACCOUNT_KEPT = (*ACCOUNT_SETTINGS, "create_time", MANAGED)


class AccountProvider(_Base):
    """An additional advertiser account of an existing customer (AddAccount, GetAccount, UpdateAccount, ...)."""

    def check_paths(self, olds: Props, news: Props) -> CheckResult:
        return check_all(AccountModel, news, creating=not olds, problem=self.configuration_error())

    def diff_paths(self, _id: str, olds: Props, news: Props) -> Changes:
        changed, replaced = diff_fields(fields.account_fields(), olds, news)
        ids = _diff_ids(("customer_id",), olds, news)
        if not ids and not _unknown_paths(news):
            operations.refuse_unchangeable(olds, news, f"account {_id}", olds.get("customer_id"))
        operations.refuse_replacement(olds, f"account {_id}", replaced + ids, "deactivates it with DeleteAccount")
        # Names are unique within a customer, so the old account must go before its replacement comes.
        return Changes(
            updated=changed + ids,
            replacing=replaced + ids,
            replaces=replaced + ids,
            settings=_settings_changed(ACCOUNT_SETTINGS, olds, news),
            declared=_declared_changed(olds, news),
            delete_before_replace=True,
        )

    def create(self, props: Props) -> CreateResult:
        return self.create_steps(props).result

    def create_steps(self, props: Props) -> Creation:
        inputs = _validated(AccountModel, props)
        result = operations.create_account(self.client(), inputs)
        kept = _kept(inputs, ACCOUNT_SETTINGS) | {MANAGED: managed_paths(inputs)}
        if result.create_time is not None:
            kept["create_time"] = _iso(result.create_time)
        if result.account is not None:
            outs = account_outputs(result.account, kept)
        else:
            # What AddAccount wrote: the inputs, but for any later step that failed (the next up retries it).
            written = {k: v for k, v in inputs.items() if k not in result.pending}
            outs = fields.normalize(
                {
                    **written,
                    **kept,
                    "account_id": result.account_id,
                    "account_number": result.account_number,
                    "last_modified_time": kept.get("create_time"),
                }
            )
        return Creation(CreateResult(str(result.account_id), outs), result.incomplete)

    def preview_create(self, props: Props, configured_parent: str | None) -> Props:
        kept = _kept(props, ACCOUNT_SETTINGS) | {MANAGED: managed_paths(props)}
        previewed: Props = fields.normalize(
            {**props, **_assigned(ACCOUNT_OUTPUTS), **kept, "bill_to_customer_id": unknown()}
        )
        return previewed

    def preview_update(self, olds: Props, news: Props) -> Props:
        return _previewed(olds, news, ACCOUNT_SETTINGS)

    def read(self, id_: str, props: Props) -> ReadResult:
        account = operations.read_account(self.stored_config_client(), id_)
        if account is None:
            return ReadResult(None, {})
        outs = account_outputs(account, _kept(props, ACCOUNT_KEPT))
        return ReadResult(
            id_, outs, _inputs_from_outputs(outs, fields.account_fields(), ("customer_id", *ACCOUNT_SETTINGS))
        )

    def update(self, id_: str, olds: Props, news: Props) -> UpdateResult:
        inputs = _validated(AccountModel, news)
        kept = _kept(olds, ("create_time",)) | _kept(inputs, ACCOUNT_SETTINGS) | {MANAGED: managed_paths(inputs)}
        changed, _ = diff_fields(fields.account_fields(), olds, inputs)
        if not changed:  # only the declared paths or settings changed: nothing to write, no call
            outs = {k: v for k, v in olds.items() if k not in (PROVIDER_KEY, *ACCOUNT_SETTINGS)} | kept
            return UpdateResult(fields.normalize(outs))
        account = operations.write_account(self.client(), id_, inputs)
        return UpdateResult(account_outputs(account, kept))

    def delete(self, id_: str, props: Props) -> None:
        operations.remove_account(self.stored_config_client, id_, props)
