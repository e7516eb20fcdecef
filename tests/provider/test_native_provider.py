"""The native provider (``native_provider``), driven as the SDK's provider server drives it: its async methods,
with camelCase PropertyValues, against the session's emulator.

It is an adapter over the dynamic provider's methods, so these tests are about what the adapter adds: names
and values translated both ways, failures and diffs at camelCase property paths, a configuration per provider
instance, read with an id alone (``pulumi import``), and no configured secret in what it returns.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, status_pb2
from pulumi.runtime.rpc import UNKNOWN

from pulumi_msads import native_provider, native_server, operations, package_schema, server_errors
from pulumi_msads.emulator.process import EmulatorControl, EmulatorProcess
from pulumi_msads.errors import DeletionPreventedError, InputError, MsadsError
from pulumi_msads.native_provider import ACCOUNT, CUSTOMER, MsadsProvider
from pulumi_msads.native_server import PartialCreateError
from pulumi_msads.providers import PROVIDER_KEY

from ..harness import run_on_private_loop as run
from ..samples import provider_config

ACCESS_TOKEN = "native-access-token-7f3a"

ADDRESS = {
    "businessName": "Contoso Outdoor",
    "line1": "1 Microsoft Way",
    "city": "Redmond",
    "stateOrProvince": "WA",
    "postalCode": "98052",
    "countryCode": "US",
}


def customer(**changes: Any) -> dict[str, Any]:
    """The sample customer as a program on the native provider declares it: camelCase names."""
    return {
        "name": "Contoso Outdoor",
        "industry": "Retail",
        "marketCountry": "US",
        "marketLanguage": "English",
        "account": {"name": "Contoso Outdoor - Search", "currencyCode": "USD", "businessAddress": dict(ADDRESS)},
        **changes,
    }


def account(customer_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "customerId": customer_id,
        "name": "Contoso Outdoor - Brand",
        "currencyCode": "USD",
        "businessAddress": dict(ADDRESS),
        **changes,
    }


def value(plain: Any) -> PropertyValue:
    """A plain value as the server unmarshals it from the engine (numbers as floats)."""
    if isinstance(plain, PropertyValue):
        return plain
    if isinstance(plain, Mapping):
        return PropertyValue({k: value(v) for k, v in plain.items()})
    if isinstance(plain, list):
        return PropertyValue([value(v) for v in plain])
    if isinstance(plain, int) and not isinstance(plain, bool):
        return PropertyValue(float(plain))
    return PropertyValue(plain)


def values(plain: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return {k: value(v) for k, v in plain.items()}


def plain(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    def one(v: PropertyValue) -> Any:
        if isinstance(v.value, Mapping):
            return {k: one(x) for k, x in v.value.items()}
        if isinstance(v.value, tuple):
            return [one(x) for x in v.value]
        return v.value

    return {k: one(v) for k, v in props.items()}


def urn(token: str, name: str = "x") -> str:
    return f"urn:pulumi:dev::native::{token}::{name}"


def configured(url: str, **settings: str) -> MsadsProvider:
    """A native provider configured as the engine configures one: check_config, then configure with its result."""
    config = {k.removeprefix("msads:"): v for k, v in provider_config(url).items()}
    config |= {"accessToken": ACCESS_TOKEN, **settings}
    provider = MsadsProvider()
    checked = run(
        provider.check_config(
            rpc.CheckRequest("urn:pulumi:dev::native::pulumi:providers:msads::p", {}, values(config), b"")
        )
    )
    assert checked.failures == []
    assert checked.inputs is not None
    run(provider.configure(rpc.ConfigureRequest({}, checked.inputs, True, False)))
    return provider


def check(
    provider: MsadsProvider, token: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
) -> rpc.CheckResponse:
    return run(provider.check(rpc.CheckRequest(urn(token), values(olds or {}), values(news), b"")))


def create(provider: MsadsProvider, token: str, inputs: Mapping[str, Any]) -> rpc.CreateResponse:
    checked = check(provider, token, inputs)
    assert checked.failures == [], [(f.property, f.reason) for f in checked.failures or []]
    assert checked.inputs is not None
    return run(provider.create(rpc.CreateRequest(urn(token), checked.inputs, 60, False)))


def diff(
    provider: MsadsProvider, token: str, id_: str, state: dict[str, PropertyValue], news: Mapping[str, Any]
) -> rpc.DiffResponse:
    checked = check(provider, token, news, plain(state))
    assert checked.failures == []
    assert checked.inputs is not None
    return run(provider.diff(rpc.DiffRequest(urn(token), id_, state, checked.inputs, [])))


@pytest.fixture
def native(emulator_process: EmulatorProcess, emulator: EmulatorControl) -> MsadsProvider:
    return configured(emulator_process.url)


def aggregator(emulator: EmulatorControl) -> str:
    [found] = [c for c in emulator.data()["customers"] if c.get("Name") == "Emulator Aggregator"]
    return str(found["Id"])


# -- schema and names ------------------------------------------------------------------------------------------


def test_get_schema_is_the_committed_schema() -> None:
    response = run(MsadsProvider().get_schema(rpc.GetSchemaRequest(0)))
    assert response.schema is not None
    assert json.loads(response.schema) == package_schema.generate()


def test_names_translate_both_ways_and_map_keys_stay() -> None:
    properties = native_provider.resource_properties(ACCOUNT)
    engine = values(account("1", taxInformation={"VAT": "DE123"}, timeZone=PropertyValue(UNKNOWN)))
    snake = native_provider.to_plain(engine, properties)
    assert snake["business_address"]["state_or_province"] == "WA"
    assert snake["tax_information"] == {"VAT": "DE123"}
    assert type(snake["time_zone"]).__name__ == "Unknown"
    back = native_provider.from_plain(snake, properties)
    assert back == engine
    assert native_provider.schema_path("tax_information.VAT", properties) == "taxInformation.VAT"
    assert native_provider.schema_path("business_address.postal_code", properties) == "businessAddress.postalCode"


# -- check ----------------------------------------------------------------------------------------------------------


def test_check_failures_name_camel_case_paths(native: MsadsProvider) -> None:
    bad = customer(marketCountry="Narnia")
    bad["account"]["currencyCode"] = "DOUBLOON"
    bad["account"]["timeZon"] = "Seattle"
    failures = {f.property: f.reason for f in check(native, CUSTOMER, bad).failures or []}
    assert set(failures) >= {"marketCountry", "account.currencyCode", "account.timeZon"}, failures
    assert all("_" not in path for path in failures)
    assert "timeZone" in failures["account.timeZon"] and "time_zone" not in failures["account.timeZon"]


def test_check_of_an_unknown_value_passes_and_keeps_it_unknown(native: MsadsProvider) -> None:
    checked = check(native, CUSTOMER, customer(name=PropertyValue(UNKNOWN)))
    assert checked.failures == []
    assert checked.inputs is not None and checked.inputs["name"].value == UNKNOWN


def test_check_config_refuses_an_unknown_setting_and_a_broken_configuration() -> None:
    provider = MsadsProvider()
    news = values({"environment": "sandbx", "parentCustomr": "1"})
    failures = run(provider.check_config(rpc.CheckRequest("urn", {}, news, b""))).failures or []
    assert [f.property for f in failures] == ["parentCustomr"]
    news = values({"environment": "sandbx"})
    [failure] = run(provider.check_config(rpc.CheckRequest("urn", {}, news, b""))).failures or []
    assert "did you mean 'sandbox'" in failure.reason


def test_check_config_hands_secret_settings_back_as_secrets(emulator_process: EmulatorProcess) -> None:
    news = values({"environment": "local", "endpoint": emulator_process.url, "accessToken": ACCESS_TOKEN})
    checked = run(MsadsProvider().check_config(rpc.CheckRequest("urn", {}, news, b"")))
    assert checked.inputs is not None
    assert checked.inputs["accessToken"].is_secret and not checked.inputs["endpoint"].is_secret


# -- create, read, diff ------------------------------------------------------------------------------------------


def test_create_then_read_round_trip(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer())
    outs = plain(created.properties)
    assert created.resource_id == outs["customerId"]
    assert outs["account"]["currencyCode"] == "USD" and outs["account"]["businessAddress"]["postalCode"] == "98052"
    assert outs["accountId"] and outs["parentCustomerId"]
    assert all("_" not in key for key in outs)

    read = run(native.read(rpc.ReadRequest(urn(CUSTOMER), created.resource_id, created.properties, {})))
    assert read.resource_id == created.resource_id
    assert plain(read.properties)["account"]["name"] == "Contoso Outdoor - Search"
    assert plain(read.inputs)["marketCountry"] == "US"


def test_read_with_an_id_alone_returns_inputs_and_outputs_for_import(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    read = run(native.read(rpc.ReadRequest(urn(CUSTOMER), created.resource_id, {}, {})))
    assert read.resource_id == created.resource_id
    inputs, outs = plain(read.inputs), plain(read.properties)
    assert inputs["name"] == "Contoso Outdoor" and inputs["account"]["currencyCode"] == "USD"
    assert outs["accountId"] == plain(created.properties)["accountId"]
    # The inputs read pass check, and the program that declares them finds nothing to change.
    rechecked = check(native, CUSTOMER, customer(), inputs)
    assert rechecked.failures == [] and rechecked.inputs is not None
    same = run(native.diff(rpc.DiffRequest(urn(CUSTOMER), created.resource_id, read.properties, rechecked.inputs, [])))
    assert same.changes is False, same.detailed_diff


def test_read_of_an_account_by_id_alone(native: MsadsProvider) -> None:
    customer_id = create(native, CUSTOMER, customer()).resource_id
    assert customer_id is not None
    created = create(native, ACCOUNT, account(customer_id))
    assert created.resource_id is not None
    read = run(native.read(rpc.ReadRequest(urn(ACCOUNT), created.resource_id, {}, {})))
    assert plain(read.inputs)["customerId"] == customer_id and plain(read.inputs)["name"] == "Contoso Outdoor - Brand"


@pytest.fixture
def two_accounts(native: MsadsProvider) -> tuple[str, str, str]:
    """A customer with its primary account and a second one: the id alone cannot say which is primary."""
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    second = create(native, ACCOUNT, account(created.resource_id)).resource_id
    assert second is not None
    return created.resource_id, str(plain(created.properties)["accountId"]), second


def test_read_by_id_alone_of_a_customer_with_two_live_accounts_says_how_to_name_the_primary_one(
    native: MsadsProvider, two_accounts: tuple[str, str, str]
) -> None:
    customer_id, primary, second = two_accounts
    with pytest.raises(MsadsError) as refused:
        run(native.read(rpc.ReadRequest(urn(CUSTOMER), customer_id, {}, {})))
    assert f"{customer_id}/<account id>" in str(refused.value)
    assert primary in str(refused.value) and second in str(refused.value)


def test_read_by_id_alone_of_a_customer_with_no_live_account_says_it_cannot_be_managed(
    native: MsadsProvider, emulator: EmulatorControl
) -> None:
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    emulator.set_account_status(plain(created.properties)["accountId"], "Inactive")
    with pytest.raises(MsadsError, match="has no live account"):
        run(native.read(rpc.ReadRequest(urn(CUSTOMER), created.resource_id, {}, {})))


def test_read_refuses_an_inactive_account_named_as_the_primary_one(
    native: MsadsProvider, emulator: EmulatorControl, two_accounts: tuple[str, str, str]
) -> None:
    customer_id, _, second = two_accounts
    emulator.set_account_status(second, "Inactive")
    with pytest.raises(InputError, match="Inactive"):
        run(native.read(rpc.ReadRequest(urn(CUSTOMER), f"{customer_id}/{second}", {}, {})))


@pytest.mark.parametrize("which", [1, 2])
def test_read_by_customer_and_account_id_takes_that_account_as_the_primary_one(
    native: MsadsProvider, two_accounts: tuple[str, str, str], which: int
) -> None:
    customer_id, named = two_accounts[0], two_accounts[which]
    read = run(native.read(rpc.ReadRequest(urn(CUSTOMER), f"{customer_id}/{named}", {}, {})))
    assert read.resource_id == customer_id  # the resource's id stays the customer id
    assert plain(read.properties)["accountId"] == named and plain(read.inputs)["account"]["name"]


def test_read_refuses_an_account_of_another_customer_as_the_primary_one(
    native: MsadsProvider, two_accounts: tuple[str, str, str]
) -> None:
    other = create(native, CUSTOMER, customer(name="Fabrikam"))
    with pytest.raises(InputError, match=f"belongs to customer {two_accounts[0]}"):
        run(native.read(rpc.ReadRequest(urn(CUSTOMER), f"{other.resource_id}/{two_accounts[2]}", {}, {})))


@pytest.mark.parametrize("bad", ["", "abc", "251000002/", "251000002/x", "/180000003", "1/2/3"])
def test_a_malformed_customer_id_is_refused_by_name(bad: str) -> None:
    with pytest.raises(InputError, match="<customer id>/<primary account id>"):
        operations.customer_read_id(bad)


def test_a_create_in_a_preview_calls_nothing_and_shows_what_is_known(
    emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    native = configured(emulator_process.url, parentCustomerId="251000001")
    checked = check(native, CUSTOMER, customer())
    assert checked.inputs is not None
    emulator.reset_calls()
    previewed = run(native.create(rpc.CreateRequest(urn(CUSTOMER), checked.inputs, 60, True)))
    assert emulator.total_calls() == 0
    outs = plain(previewed.properties or {})
    assert outs["name"] == "Contoso Outdoor" and outs["account"]["currencyCode"] == "USD", "declared: known"
    assert outs["parentCustomerId"] == "251000001", "configured: known"
    assert outs["customerId"] == UNKNOWN and outs["accountId"] == UNKNOWN, "assigned by the service: unknown"


def test_a_create_in_a_preview_leaves_a_parent_customer_it_would_look_up_unknown(native: MsadsProvider) -> None:
    checked = check(native, CUSTOMER, customer())
    assert checked.inputs is not None
    previewed = run(native.create(rpc.CreateRequest(urn(CUSTOMER), checked.inputs, 60, True)))
    assert plain(previewed.properties or {})["parentCustomerId"] == UNKNOWN


def test_an_update_in_a_preview_calls_nothing_and_keeps_the_ids(
    native: MsadsProvider, emulator: EmulatorControl
) -> None:
    created = create(native, CUSTOMER, customer(deletionPolicy="abandon"))
    checked = check(
        native, CUSTOMER, customer(deletionPolicy="abandon", name="Contoso Outdoors"), plain(created.properties or {})
    )
    assert checked.inputs is not None and created.resource_id is not None and created.properties is not None
    emulator.reset_calls()
    request = rpc.UpdateRequest(
        urn(CUSTOMER),
        created.resource_id,
        created.properties,
        checked.inputs,
        timeout=60,
        ignore_changes=[],
        preview=True,
    )
    previewed = run(native.update(request))
    assert emulator.total_calls() == 0
    before, outs = plain(created.properties), plain(previewed.properties or {})
    assert outs["customerId"] == before["customerId"] and outs["accountId"] == before["accountId"]
    assert outs["name"] == "Contoso Outdoors" and outs["account"] == before["account"]
    assert outs["lastModifiedTime"] == UNKNOWN


def test_an_account_whose_step_after_the_create_fails_is_handed_over_as_a_partial_create(
    native: MsadsProvider, emulator: EmulatorControl
) -> None:
    """What the engine records (id, the outputs without the language) and the reason it fails the step with."""
    customer_id = create(native, CUSTOMER, customer()).resource_id
    assert customer_id is not None
    emulator.add_fault(operation="UpdateAccount", count=1, code=1001)  # a refusal, not retried
    with pytest.raises(PartialCreateError) as raised:
        create(native, ACCOUNT, account(customer_id, language="German"))
    made = raised.value.made
    [live] = [a for a in emulator.data()["accounts"] if str(a["Id"]) == made.resource_id]
    outs = plain(made.properties or {})
    assert outs["accountId"] == made.resource_id and "language" not in outs, "the state says what the service has"
    assert plain(raised.value.inputs)["language"] == "German", "the declared inputs, for the next up's diff"
    assert f"account {made.resource_id} 'Contoso Outdoor - Brand' was created, but setting language failed" in str(
        raised.value
    )
    assert live["Name"] == "Contoso Outdoor - Brand"


def test_detailed_diff_names_the_field_that_forces_a_replacement(native: MsadsProvider) -> None:
    customer_id = create(native, CUSTOMER, customer()).resource_id
    assert customer_id is not None
    created = create(native, ACCOUNT, account(customer_id, deletionPolicy="deactivate"))
    assert created.resource_id is not None
    changed = diff(
        native,
        ACCOUNT,
        created.resource_id,
        created.properties,
        account(customer_id, deletionPolicy="deactivate", name="Contoso Outdoor - Shopping", currencyCode="EUR"),
    )
    assert changed.changes is True
    kinds = {path: d.kind for path, d in changed.detailed_diff.items()}
    assert kinds == {"currencyCode": rpc.PropertyDiffKind.UPDATE_REPLACE, "name": rpc.PropertyDiffKind.UPDATE}
    assert changed.replaces == ["currencyCode"] and changed.delete_before_replace is True


def test_detailed_diff_of_a_nested_field_names_its_path(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer(deletionPolicy="abandon"))
    assert created.resource_id is not None
    news = customer(name="Contoso Outdoors", deletionPolicy="abandon")
    news["account"]["name"] = "Contoso Outdoor - Everything"
    news["account"]["currencyCode"] = "EUR"
    changed = diff(native, CUSTOMER, created.resource_id, created.properties, news)
    kinds = {path: d.kind for path, d in changed.detailed_diff.items()}
    assert kinds == {
        "name": rpc.PropertyDiffKind.UPDATE,
        "account.name": rpc.PropertyDiffKind.UPDATE,
        "account.currencyCode": rpc.PropertyDiffKind.UPDATE_REPLACE,
    }
    assert changed.replaces == ["account"]


def test_update_writes_and_answers_camel_case_outputs(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    checked = check(native, CUSTOMER, customer(name="Contoso Outdoors"), plain(created.properties))
    assert checked.inputs is not None
    request = rpc.UpdateRequest(urn(CUSTOMER), created.resource_id, created.properties, checked.inputs, 60, [], False)
    updated = run(native.update(request))
    assert plain(updated.properties)["name"] == "Contoso Outdoors"
    read = run(native.read(rpc.ReadRequest(urn(CUSTOMER), created.resource_id, updated.properties, {})))
    assert plain(read.properties)["name"] == "Contoso Outdoors"


@pytest.fixture
def moved(native: MsadsProvider) -> tuple[rpc.CreateResponse, dict[str, PropertyValue], dict[str, PropertyValue]]:
    """A customer as the dynamic provider records it (snake_case names and its pickled provider), moved here by an
    alias: what the native provider made of it, that state, and the unchanged program's checked inputs."""
    created = create(native, CUSTOMER, customer())
    names = native_provider.resource_properties(CUSTOMER)
    state = values({**native_provider.to_plain(created.properties, names), PROVIDER_KEY: "<pickled provider>"})
    checked = check(native, CUSTOMER, customer(), plain(state))
    assert created.resource_id is not None and checked.inputs is not None
    return created, state, checked.inputs


def test_a_resource_moved_here_by_an_alias_is_an_update_though_no_field_differs(
    native: MsadsProvider, moved: tuple[rpc.CreateResponse, dict[str, PropertyValue], dict[str, PropertyValue]]
) -> None:
    created, state, inputs = moved
    assert created.resource_id is not None
    answered = run(native.diff(rpc.DiffRequest(urn(CUSTOMER), created.resource_id, state, inputs, [])))
    assert answered.changes is True and answered.replaces == [] and answered.detailed_diff == {}


def test_the_update_of_a_moved_resource_calls_nothing_and_rewrites_its_state_in_schema_names(
    native: MsadsProvider,
    emulator: EmulatorControl,
    moved: tuple[rpc.CreateResponse, dict[str, PropertyValue], dict[str, PropertyValue]],
) -> None:
    created, state, inputs = moved
    assert created.resource_id is not None
    emulator.reset_calls()
    request = rpc.UpdateRequest(urn(CUSTOMER), created.resource_id, state, inputs, 60, [], False)
    updated = plain(run(native.update(request)).properties)
    assert emulator.total_calls() == 0
    assert PROVIDER_KEY not in updated and updated == plain(created.properties)


def test_creates_the_engine_sends_at_once_are_in_flight_at_once(
    native: MsadsProvider, emulator: EmulatorControl
) -> None:
    """Ten at once, more than the dynamic provider server's four and asyncio's default pool (6 on two cores)."""
    requests = []
    for i in range(10):
        checked = check(native, CUSTOMER, customer(name=f"Contoso {i}"))
        assert checked.failures == [] and checked.inputs is not None
        requests.append(rpc.CreateRequest(urn(CUSTOMER, f"c{i}"), checked.inputs, 60, False))
    emulator.reset_calls()
    emulator.set_latency(0.5)

    async def all_at_once() -> list[rpc.CreateResponse]:
        return list(await asyncio.gather(*(native.create(request) for request in requests)))

    created = run(all_at_once())
    assert len({c.resource_id for c in created}) == 10
    assert emulator.max_in_flight() == 10


# -- provider instances and secrets ----------------------------------------------------------------------------


def test_two_provider_instances_sign_up_under_their_own_parent_customers(
    emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    first_parent = aggregator(emulator)
    first = configured(emulator_process.url, parentCustomerId=first_parent)
    made_by_first = create(first, CUSTOMER, customer())
    second_parent = made_by_first.resource_id
    assert second_parent is not None
    second = configured(emulator_process.url, parentCustomerId=second_parent)
    made_by_second = create(second, CUSTOMER, customer(name="Fabrikam", allowDuplicateName=True))
    # And the first instance still signs up under its own parent, in the same process.
    again = create(first, CUSTOMER, customer(name="Tailspin"))
    assert plain(made_by_first.properties)["parentCustomerId"] == first_parent
    assert plain(made_by_second.properties)["parentCustomerId"] == second_parent
    assert plain(again.properties)["parentCustomerId"] == first_parent
    assert first.session.client() is not second.session.client()


def test_no_configured_secret_in_what_the_provider_returns(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    read = run(native.read(rpc.ReadRequest(urn(CUSTOMER), created.resource_id, {}, {})))
    for props in (created.properties, read.properties, read.inputs):
        text = json.dumps(plain(props), default=str)
        assert ACCESS_TOKEN not in text
        assert "accessToken" not in text and "developerToken" not in text


def test_secret_inputs_come_back_as_secrets(native: MsadsProvider) -> None:
    inputs = values(customer())
    inputs["name"] = inputs["name"].with_secret(True)
    checked = run(native.check(rpc.CheckRequest(urn(CUSTOMER), {}, inputs, b"")))
    assert checked.inputs is not None and checked.inputs["name"].is_secret
    created = run(native.create(rpc.CreateRequest(urn(CUSTOMER), checked.inputs, 60, False)))
    assert created.properties["name"].is_secret and not created.properties["customerId"].is_secret


# -- errors ------------------------------------------------------------------------------------------------------


def test_our_errors_name_properties_as_the_schema_does(native: MsadsProvider) -> None:
    created = create(native, CUSTOMER, customer())
    assert created.resource_id is not None
    news = customer()
    news["account"]["currencyCode"] = "EUR"
    with pytest.raises(DeletionPreventedError) as raised:
        diff(native, CUSTOMER, created.resource_id, created.properties, news)
    assert "deletionPolicy" in str(raised.value) and "deletion_policy" not in str(raised.value)


def test_the_native_server_prints_our_errors_without_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.provider.experimental import server

    monkeypatch.setattr(server, "traceback", traceback)
    server_errors.install_native()

    async def failing(error: Exception) -> None:
        raise error

    class Servicer:
        @server._raise_with_traceback
        async def Diff(self, request: object, context: object) -> None:  # noqa: N802 - the gRPC method's name
            await failing(request)  # type: ignore[arg-type]

    with pytest.raises(Exception, match=r"^customer 1: set deletionPolicy:\n$"):
        run(Servicer().Diff(DeletionPreventedError("customer 1: set deletionPolicy"), None))
    with pytest.raises(Exception, match=r"^a bug:\n  File"):
        run(Servicer().Diff(ValueError("a bug"), None))


# -- the plugin process ------------------------------------------------------------------------------------------

PLUGIN = Path(__file__).resolve().parents[2] / "provider" / "bin" / "pulumi-resource-msads"


@pytest.fixture
def plugin() -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """``pulumi-resource-msads`` as the engine starts it: its port on stdout, then gRPC."""
    process = subprocess.Popen([str(PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.kill()
        process.wait()


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    return PropertyValue.marshal_map(values(props))


def test_the_plugin_serves_check_create_and_a_detailed_diff_over_grpc(
    plugin: provider_pb2_grpc.ResourceProviderStub, emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    config = {k.removeprefix("msads:"): v for k, v in provider_config(emulator_process.url).items()}
    assert plugin.GetPluginInfo(empty_pb2.Empty()).version == native_provider.version()
    plugin.Configure(provider_pb2.ConfigureRequest(args=_struct(config), acceptSecrets=True))

    unknown = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), news=_struct(customer(name=UNKNOWN))))
    assert list(unknown.failures) == [] and unknown.inputs.fields["name"].string_value == UNKNOWN
    bad = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), news=_struct(customer(marketCountry="Narnia"))))
    assert [f.property for f in bad.failures] == ["marketCountry"]

    checked = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), news=_struct(customer())))
    created = plugin.Create(provider_pb2.CreateRequest(urn=urn(CUSTOMER), properties=checked.inputs))
    assert created.id == created.properties.fields["customerId"].string_value

    news = customer(name="Contoso Outdoors")
    news["account"]["currencyCode"] = "EUR"
    rechecked = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), olds=created.properties, news=_struct(news)))
    request = provider_pb2.DiffRequest(urn=urn(CUSTOMER), id=created.id, olds=created.properties, news=rechecked.inputs)
    with pytest.raises(grpc.RpcError) as refused:  # a replacement that deletion_policy 'prevent' forbids
        plugin.Diff(request)
    message = refused.value.details()  # type: ignore[attr-defined]
    assert "deletionPolicy" in message and "File " not in message, message

    abandoned = customer(name="Fabrikam", deletionPolicy="abandon")
    checked = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), news=_struct(abandoned)))
    created = plugin.Create(provider_pb2.CreateRequest(urn=urn(CUSTOMER), properties=checked.inputs))
    news = {**abandoned, "name": "Fabrikam Outdoors", "account": news["account"]}
    rechecked = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), olds=created.properties, news=_struct(news)))
    request = provider_pb2.DiffRequest(urn=urn(CUSTOMER), id=created.id, olds=created.properties, news=rechecked.inputs)
    diffed = plugin.Diff(request)
    assert diffed.hasDetailedDiff and list(diffed.replaces) == ["account"]
    kinds = {path: d.kind for path, d in diffed.detailedDiff.items()}
    assert kinds["account.currencyCode"] == provider_pb2.PropertyDiff.UPDATE_REPLACE
    assert kinds["name"] == provider_pb2.PropertyDiff.UPDATE


def test_the_plugin_answers_a_partial_create_with_the_engines_init_failed_detail(
    plugin: provider_pb2_grpc.ResourceProviderStub, emulator_process: EmulatorProcess, emulator: EmulatorControl
) -> None:
    """The detail the engine reads (pulumi's parseError): it then records the account and fails the step."""
    config = {k.removeprefix("msads:"): v for k, v in provider_config(emulator_process.url).items()}
    plugin.Configure(provider_pb2.ConfigureRequest(args=_struct(config), acceptSecrets=True))
    checked = plugin.Check(provider_pb2.CheckRequest(urn=urn(CUSTOMER), news=_struct(customer())))
    customer_id = plugin.Create(provider_pb2.CreateRequest(urn=urn(CUSTOMER), properties=checked.inputs)).id
    checked = plugin.Check(
        provider_pb2.CheckRequest(urn=urn(ACCOUNT), news=_struct(account(customer_id, language="German")))
    )
    emulator.add_fault(operation="UpdateAccount", count=1, code=1001)
    with pytest.raises(grpc.RpcError) as refused:
        plugin.Create(provider_pb2.CreateRequest(urn=urn(ACCOUNT), properties=checked.inputs))

    error: Any = refused.value
    [details] = [v for k, v in error.trailing_metadata() if k == native_server.STATUS_DETAILS]
    status = status_pb2.Status.FromString(details)
    failed = provider_pb2.ErrorResourceInitFailed()
    assert status.code == grpc.StatusCode.UNKNOWN.value[0] and status.details[0].Unpack(failed)
    assert failed.id and failed.properties.fields["accountId"].string_value == failed.id
    assert "language" not in failed.properties.fields and failed.inputs.fields["language"].string_value == "German"
    assert list(failed.reasons) == [error.details()] and "setting language failed" in error.details()
