"""``pulumi-resource-msads``: the native provider plugin, a thin adapter over the dynamic provider's code (issue 15).

Served by the Python SDK's own provider server (``pulumi.provider.experimental``), it answers the
engine for ``msads:index:Customer`` and ``msads:index:Account`` of the package schema
(``schema.json``, from ``package_schema``) by calling the very methods the dynamic provider runs
(``providers.CustomerProvider`` and ``AccountProvider``): no rule lives here. What this module does:

- names: the engine speaks the schema's camelCase (``marketCountry``), the providers and models
  snake_case (``market_country``). ``to_plain`` and ``from_plain`` translate, one way each, through
  ``naming.snake`` and ``naming.camel``, led by the schema so that a map's keys (``taxInformation``'s
  ``VAT``) stay as they are;
- values: the engine's ``PropertyValue`` to the plain values the providers take (an unknown becomes
  ``pulumi.output.Unknown``, as the dynamic provider sees it) and back (numbers as floats);
- configuration per provider instance: ``configure`` gives this instance its own ``ProviderConfig``
  and ``ServiceClient`` (``Session``), so two explicit providers (two parent customers, sandbox and
  production) live in one stack; the settings marked secret in the schema come back from
  ``check_config`` as secrets, and no setting ever reaches a resource's state;
- a detailed diff: each changed property path with UPDATE or UPDATE_REPLACE (``providers.Changes``),
  so ``preview --diff`` names the field that forces a replacement;
- previews with outputs (``supportsPreview``): create and update answer a preview with what is known
  without a call (``preview_create``, ``preview_update``), so an update keeps its ids known to the resources
  wired to them instead of showing them a replacement that never happens;
- a partial create: a create whose later step failed raises ``PartialCreateError``, which ``native_server``
  hands to the engine as its partial-failure detail (the resource recorded, the step failed);
- blocking calls run in threads of its own pool (``CALLS_IN_FLIGHT``), so the engine's parallel steps are
  served at once: as many as ``pulumi up --parallel`` sends (4 per CPU by default), not the dynamic
  provider server's four.

Run as ``python -m pulumi_msads.native_provider <engine address>`` (``provider/bin/pulumi-resource-msads``).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import importlib.metadata
import json
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pulumi.dynamic import CheckResult
from pulumi.output import Unknown
from pulumi.provider.experimental import provider as rpc_provider
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime.rpc import UNKNOWN

from . import config, naming, native_server, package_schema, runtime, server_errors
from .client import ServiceClient
from .errors import ConfigurationError, MsadsError
from .fields import Props
from .native_server import PartialCreateError
from .providers import PROVIDER_KEY, AccountProvider, CustomerProvider, stored_config_client, unknown

Spec = dict[str, Any]
T = TypeVar("T")

SCHEMA_PATH = Path(__file__).with_name("schema.json")
CUSTOMER = package_schema.token("Customer")
ACCOUNT = package_schema.token("Account")
ENGINE_INPUTS = frozenset({"version", "pluginDownloadURL"})
"""Provider inputs the engine itself may add, which are no setting of ours."""


@functools.cache
def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@functools.cache
def schema() -> Spec:
    loaded: Spec = json.loads(schema_text())
    return loaded


def resource_properties(token: str) -> dict[str, Spec]:
    """The schema's properties (inputs and outputs) of a resource type, by their camelCase names."""
    properties: dict[str, Spec] = schema()["resources"][token]["properties"]
    return properties


def _object_properties(spec: Spec | None) -> dict[str, Spec] | None:
    """The properties of the object type ``spec`` refers to; None when ``spec`` is a map, whose keys are data.

    A property the schema does not know (``{}``) has its names translated too: check refuses it by name.
    """
    if spec is None:
        return {}
    if "$ref" in spec:
        named: Spec = schema()["types"].get(spec["$ref"].removeprefix("#/types/"), {})
        return dict(named.get("properties", {}))
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return None
    return {}


# -- names and values: one function each way ---------------------------------------------------------------


def _is_unknown(value: PropertyValue) -> bool:
    return isinstance(value.value, Computed) or value.value == UNKNOWN


def _plain(value: PropertyValue, spec: Spec | None) -> Any:
    inner = value.value
    if _is_unknown(value):
        return unknown()
    if isinstance(inner, Mapping):
        properties = _object_properties(spec)
        if properties is None:
            item = (spec or {}).get("additionalProperties")
            return {key: _plain(v, item) for key, v in inner.items()}
        return to_plain(inner, properties)
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(v, (spec or {}).get("items")) for v in inner]
    return inner


def to_plain(values: Mapping[str, PropertyValue], properties: Mapping[str, Spec]) -> Props:
    """The engine's camelCase PropertyValues as the snake_case plain values the providers take.

    Secrets arrive unwrapped (``secret_keys`` remembers which); unknowns become ``Unknown``.
    """
    return {naming.snake(key): _plain(value, properties.get(key)) for key, value in values.items()}


def _value(value: Any, spec: Spec | None) -> PropertyValue:
    if isinstance(value, Unknown):
        return PropertyValue(UNKNOWN)
    if value is None:
        return PropertyValue.null()
    if isinstance(value, bool | str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, dt.datetime | dt.date):
        return PropertyValue(value.isoformat())
    if isinstance(value, Mapping):
        properties = _object_properties(spec)
        if properties is None:
            item = (spec or {}).get("additionalProperties")
            return PropertyValue({str(key): _value(v, item) for key, v in value.items()})
        return PropertyValue(from_plain(value, properties))
    if isinstance(value, Sequence):
        return PropertyValue([_value(v, (spec or {}).get("items")) for v in value])
    raise TypeError(f"no property value for {type(value).__name__}")


def from_plain(
    values: Mapping[str, Any], properties: Mapping[str, Spec], secret: frozenset[str] = frozenset()
) -> dict[str, PropertyValue]:
    """Snake_case plain values as the engine's camelCase PropertyValues: the inverse of ``to_plain``.

    ``secret``: the (snake_case) top-level names to hand back as secrets.
    """
    out: dict[str, PropertyValue] = {}
    for key, value in values.items():
        name = naming.camel(str(key))
        converted = _value(value, properties.get(name))
        out[name] = converted.with_secret(True) if key in secret else converted
    return out


def secret_keys(values: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The (snake_case) top-level names whose values hold a secret: what goes back as a secret."""
    return frozenset(naming.snake(key) for key, value in values.items() if value.contains_secret())


def schema_path(path: str, properties: Mapping[str, Spec]) -> str:
    """A property path as the models name it (``account.currency_code``) as the schema does (``account.currencyCode``).

    Led by the schema like ``to_plain``: a map's keys (``tax_information.VAT``) stay as they are.
    """
    out: list[str] = []
    level: Mapping[str, Spec] | None = properties
    for part in path.split(".") if path else []:
        if level is None:  # a map's key
            out.append(part)
            level = {}
            continue
        name = naming.camel(part)
        out.append(name)
        level = _object_properties(level.get(name))
    return ".".join(out)


# -- one provider instance's configuration -----------------------------------------------------------------


def _setting_text(value: Any) -> str:
    """A setting's value as the configuration reads it: the text a stack's config would hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settings_of(values: Mapping[str, Any]) -> tuple[dict[str, str], bool]:
    """(``msads:<key>`` -> text, whether any value is unknown) from plain provider inputs named as the schema does."""
    settings: dict[str, str] = {}
    unknown = False
    for key, value in values.items():
        if isinstance(value, Unknown):
            unknown = True
        elif value not in (None, ""):
            settings[f"{package_schema.NAME}:{key}"] = _setting_text(value)
    return settings, unknown


SETTING_KEYS = frozenset(key.removeprefix(f"{package_schema.NAME}:") for key, _ in config.KEYS.values())
SECRET_KEYS = frozenset(config.KEYS[name][0].removeprefix(f"{package_schema.NAME}:") for name in config.SECRET_SETTINGS)


class Session:
    """One provider instance's configuration and client, as ``runtime`` holds the dynamic provider process's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.config: config.ProviderConfig | None = None
        self.problem: ConfigurationError | None = None
        self.unknown = False
        self.cancelled = False
        self._client: ServiceClient | None = None

    def cancel(self) -> None:
        """The deployment was cancelled: this client, and any made after it, sends nothing more."""
        with self._lock:
            self.cancelled = True
            client = self._client
        if client is not None:
            client.cancel()

    def configure(self, settings: Mapping[str, str], *, unknown: bool = False) -> None:
        """Settings as ``msads:<key>`` -> text, over the environment as the dynamic provider reads them."""
        try:
            loaded, problem = config.ProviderConfig.from_sources(settings, os.environ), None
        except ConfigurationError as error:
            loaded, problem = None, error
        with self._lock:
            if loaded is None or loaded != self.config:
                self.config, self._client = loaded, None
            self.problem, self.unknown = problem, unknown

    def parent(self) -> str | None:
        """The configured parent customer (msads:parentCustomerId), if any: known to a preview with no call."""
        with self._lock:
            return None if self.config is None else self.config.parent_customer_id

    def client(self) -> ServiceClient:
        with self._lock:
            if self.problem is not None:
                raise self.problem
            if self.unknown:
                raise ConfigurationError(
                    "msads provider configuration: some settings are not known yet (they come from other "
                    "resources' outputs); the service is called once they are"
                )
            if self.config is None:  # never configured: the environment alone, like runtime.config()
                self.config = config.ProviderConfig.from_sources({}, os.environ)
            if self._client is None:
                self._client = ServiceClient(self.config)
                if self.cancelled:
                    self._client.cancel()
            return self._client


class _Bound:
    """The dynamic provider's methods on one Session instead of the process's configuration (``runtime``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def configuration_error(self) -> ConfigurationError | None:
        return self.session.problem

    def client(self) -> ServiceClient:
        return self.session.client()

    def stored_config_client(self) -> ServiceClient:
        return stored_config_client(self.session.client)


class BoundCustomerProvider(_Bound, CustomerProvider):
    pass


class BoundAccountProvider(_Bound, AccountProvider):
    pass


# -- the provider -------------------------------------------------------------------------------------------


CALLS_IN_FLIGHT = max(64, 4 * (os.cpu_count() or 1))
"""Threads for the providers' blocking calls: above the engine's default parallelism (``4 x GOMAXPROCS``
steps at once, pkg/cmd/pulumi/operations/up.go), so that is what limits the calls in flight, as with any
native provider, and not asyncio's default pool (``min(32, cpus + 4)``: 6 on two cores). The client's
pacing (``msads:maxCallsPerMinute``) still holds every thread to the service's pace."""
_CALLS = ThreadPoolExecutor(max_workers=CALLS_IN_FLIGHT, thread_name_prefix="msads-call")


async def _threaded(call: Callable[..., T], *args: Any) -> T:
    """A blocking call of the providers (the service's round trips) in a thread: the event loop serves others.

    Our errors say what to do in the names the models use (``set deletion_policy``): they come out with
    the schema's (``set deletionPolicy``), their notes included, since the server prints the message alone.
    """
    try:
        context = contextvars.copy_context()  # as asyncio.to_thread does
        return await asyncio.get_running_loop().run_in_executor(_CALLS, functools.partial(context.run, call, *args))
    except MsadsError as error:
        error.args = (schema_message(error),)
        if hasattr(error, "__notes__"):
            del error.__notes__
        raise


def schema_message(error: MsadsError) -> str:
    """The error's message and notes (what to do), in the schema's names."""
    return package_schema.schema_names("\n".join([str(error), *getattr(error, "__notes__", ())]))


def _diff_kind(path: str, replacing: Sequence[str], olds: Props, news: Props) -> rpc_provider.PropertyDiffKind:
    top = path.split(".", 1)[0]
    if path in replacing:
        return rpc_provider.PropertyDiffKind.UPDATE_REPLACE
    if top not in news:
        return rpc_provider.PropertyDiffKind.DELETE
    if top not in olds:
        return rpc_provider.PropertyDiffKind.ADD
    return rpc_provider.PropertyDiffKind.UPDATE


class MsadsProvider(rpc_provider.Provider):
    """The ``msads`` package's provider: one instance per provider the engine configures."""

    def __init__(self) -> None:
        self.session = Session()
        self.providers: dict[str, CustomerProvider | AccountProvider] = {
            CUSTOMER: BoundCustomerProvider(self.session),
            ACCOUNT: BoundAccountProvider(self.session),
        }

    def _provider(self, token: str) -> CustomerProvider | AccountProvider:
        try:
            return self.providers[token]
        except KeyError:
            raise ValueError(
                f"unknown resource type {token!r}; this provider serves {', '.join(self.providers)}"
            ) from None

    async def cancel(self) -> None:
        """The engine's Cancel (Ctrl-C, ``pulumi cancel``): waits end, no call is sent after; calls in flight finish."""
        self.session.cancel()

    async def get_schema(self, request: rpc_provider.GetSchemaRequest) -> rpc_provider.GetSchemaResponse:
        return rpc_provider.GetSchemaResponse(schema=schema_text())

    # -- configuration

    async def check_config(self, request: rpc_provider.CheckRequest) -> rpc_provider.CheckResponse:
        """Refuse unknown settings and a configuration that cannot work; hand secret settings back as secrets."""
        news = {k: v for k, v in request.new_inputs.items() if k not in ENGINE_INPUTS}
        failures = [
            rpc_provider.CheckFailure(key, f"unknown setting; allowed: {', '.join(sorted(SETTING_KEYS))}")
            for key in news
            if key not in SETTING_KEYS
        ]
        settings, unknown = settings_of({k: _plain(v, None) for k, v in news.items() if k in SETTING_KEYS})
        if not failures and not unknown:
            try:
                config.ProviderConfig.from_sources(settings, os.environ)
            except ConfigurationError as error:
                failures.append(rpc_provider.CheckFailure("", str(error)))
        inputs = {k: v.with_secret(True) if k in SECRET_KEYS else v for k, v in request.new_inputs.items()}
        return rpc_provider.CheckResponse(inputs=inputs, failures=failures)

    async def configure(self, request: rpc_provider.ConfigureRequest) -> rpc_provider.ConfigureResponse:
        runtime.configure_logging(os.environ.get("MSADS_LOG_LEVEL", "WARNING"))
        if request.args:
            values = {k: _plain(v, None) for k, v in request.args.items() if k in SETTING_KEYS}
        else:  # an engine that sends the stack's config as variables: "msads:config:parentCustomerId"
            values = {k.rsplit(":", 1)[-1]: v for k, v in request.variables.items()}
            values = {k: v for k, v in values.items() if k in SETTING_KEYS}
        settings, unknown = settings_of(values)
        self.session.configure(settings, unknown=unknown)
        # supports_preview: the engine asks create and update for their outputs in a preview too (no call is made),
        # so what is known then is shown known: an update keeps its ids, which the resources wired to them see.
        return rpc_provider.ConfigureResponse(accept_secrets=True, supports_preview=True)

    # -- resources

    async def check(self, request: rpc_provider.CheckRequest) -> rpc_provider.CheckResponse:
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        olds = to_plain(request.old_inputs, properties)
        news = to_plain(request.new_inputs, properties)
        result: CheckResult = await _threaded(provider.check_paths, olds, news)
        failures = [
            rpc_provider.CheckFailure(schema_path(f.property, properties), package_schema.schema_names(f.reason))
            for f in result.failures or []
        ]
        inputs = from_plain(result.inputs or {}, properties, secret_keys(request.new_inputs))
        return rpc_provider.CheckResponse(inputs=inputs, failures=failures)

    async def diff(self, request: rpc_provider.DiffRequest) -> rpc_provider.DiffResponse:
        """The providers' diff, by schema path. A resource the dynamic provider made, moved here by an alias, is
        also an update when nothing differs: its stored outputs still have the dynamic provider's names (and its
        ``__provider`` blob), which programs in other languages cannot read, and the update rewrites them with no
        call (``update`` sends nothing when no field changed)."""
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        moved = PROVIDER_KEY in request.old_state
        olds = to_plain(request.old_state, properties)
        news = to_plain(request.new_inputs, properties)
        changes = await _threaded(provider.diff_paths, request.resource_id, olds, news)
        paths = dict.fromkeys([*changes.updated, *changes.settings, *changes.declared])
        detailed = {
            schema_path(path, properties): rpc_provider.PropertyDiff(
                _diff_kind(path, changes.replacing, olds, news), input_diff=True
            )
            for path in paths
        }
        return rpc_provider.DiffResponse(
            changes=changes.changes or moved,
            replaces=[schema_path(path, properties) for path in changes.replaces],
            delete_before_replace=changes.delete_before_replace,
            diffs=sorted({path.split(".", 1)[0] for path in detailed}),
            detailed_diff=detailed,
        )

    async def create(self, request: rpc_provider.CreateRequest) -> rpc_provider.CreateResponse:
        """A create; when a step after it failed, ``PartialCreateError``: the engine records what was made and the
        step fails with why (the dynamic provider can only record it as made and log the failure)."""
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        if request.preview:  # no call: what is known before the service assigns anything
            previewed = provider.preview_create(to_plain(request.properties, properties), self.session.parent())
            return rpc_provider.CreateResponse(
                resource_id="", properties=from_plain(previewed, properties, secret_keys(request.properties))
            )
        creation = await _threaded(provider.create_steps, to_plain(request.properties, properties))
        outs = from_plain(creation.result.outs or {}, properties, secret_keys(request.properties))
        made = rpc_provider.CreateResponse(resource_id=str(creation.result.id), properties=outs)
        if creation.incomplete is not None:
            reason = (
                f"{schema_message(creation.incomplete)}\nIt is recorded in the stack; the next `pulumi up` retries it."
            )
            raise PartialCreateError(made, dict(request.properties), reason)
        return made

    async def read(self, request: rpc_provider.ReadRequest) -> rpc_provider.ReadResponse:
        """Refresh, and ``pulumi import`` or ``.get()``: with an id alone, the inputs come back with the outputs."""
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        result = await _threaded(provider.read, request.resource_id, to_plain(request.properties, properties))
        if result.id is None:
            return rpc_provider.ReadResponse(resource_id=None)
        secret = secret_keys(request.properties) | secret_keys(request.inputs)
        return rpc_provider.ReadResponse(
            resource_id=str(result.id),
            properties=from_plain(result.outs or {}, properties, secret),
            inputs=from_plain(result.inputs or {}, properties, secret),
        )

    async def update(self, request: rpc_provider.UpdateRequest) -> rpc_provider.UpdateResponse:
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        olds = to_plain(request.olds, properties)
        if request.preview:  # no call: the old outputs with the declared values over them
            previewed = provider.preview_update(olds, to_plain(request.news, properties))
            return rpc_provider.UpdateResponse(properties=from_plain(previewed, properties, secret_keys(request.news)))
        result = await _threaded(provider.update, request.resource_id, olds, to_plain(request.news, properties))
        outs = from_plain(result.outs or {}, properties, secret_keys(request.news))
        return rpc_provider.UpdateResponse(properties=outs)

    async def delete(self, request: rpc_provider.DeleteRequest) -> None:
        properties = resource_properties(request.type)
        provider = self._provider(request.type)
        await _threaded(provider.delete, request.resource_id, to_plain(request.properties, properties))


def version() -> str:
    return importlib.metadata.version(package_schema.DISTRIBUTION)


def main() -> None:
    server_errors.install_native()
    native_server.serve(sys.argv[1:], version(), MsadsProvider())


if __name__ == "__main__":
    main()
