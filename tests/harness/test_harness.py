"""Self-tests: the harness drives the real ``pulumi.dynamic`` server with the engine's call sequences (notes 1.3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest.mock import ANY

import pytest
from pulumi.output import Unknown

from .engine import (
    Engine,
    OperationError,
    ProviderServer,
    ResourceState,
    is_secret,
    provider_blob,
    reveal,
    secret,
    unknown,
)
from .mocks import RecordingMocks, run_program
from .toy import STORE_KEY, BareProvider, Toy, ToyProvider, ToyStore

TOY_TYPE = "pulumi-python:dynamic/toy:Toy"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ToyStore:
    return ToyStore(tmp_path_factory.mktemp("toy") / "store.json")


@pytest.fixture(scope="module")
def server(store: ToyStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderServer]:
    """One provider process for the module, as one engine operation uses one process for all dynamic resources."""
    config = {STORE_KEY: str(store.path), "msads:environment": "sandbox"}
    with ProviderServer(config, log_dir=tmp_path_factory.mktemp("logs")) as running:
        yield running


@pytest.fixture
def engine(server: ProviderServer) -> Engine:
    return Engine(server, ToyProvider, TOY_TYPE)


@pytest.fixture
def created(engine: Engine) -> ResourceState:
    state = engine.up_create({"size": 3}).state
    assert state is not None
    return state


def test_startup_follows_the_engine_handshake(server: ProviderServer) -> None:
    assert server.startup == [
        ("Handshake", "UNIMPLEMENTED"),
        ("GetPluginInfo", "OK"),
        ("CheckConfig", "UNIMPLEMENTED"),
        ("Configure", "OK"),
    ]
    assert server.plugin_version == "0.1.0"
    response = server.configure_response
    assert response is not None
    assert (response.acceptSecrets, response.supportsPreview) == (False, False)


def test_provider_blob_is_pickled_by_reference() -> None:
    blob, captured_secrets = provider_blob(ToyProvider)
    assert len(blob) < 200, "an importable, attribute-free class pickles as a module path plus a name"
    assert not captured_secrets
    assert provider_blob(ToyProvider) == (blob, captured_secrets)


def test_preview_create_checks_with_unknowns_and_creates_nothing(engine: Engine, store: ToyStore) -> None:
    before = store.resources()
    outcome = engine.preview_create({"size": unknown(), "color": "blue"})
    assert outcome.rpcs == ["Check"]
    assert outcome.op == "create"
    assert outcome.state is not None
    assert isinstance(outcome.state.outputs["size"], Unknown), "preview outputs are the checked inputs"
    assert outcome.state.outputs["color"] == "blue"
    assert store.resources() == before


def test_up_create_checks_then_creates(engine: Engine, store: ToyStore) -> None:
    outcome = engine.up_create({"size": 3, "note": None})
    assert outcome.rpcs == ["Check", "Create"]
    state = outcome.state
    assert state is not None and state.id.startswith("toy-")
    assert state.plain_outputs() == {"name": state.inputs["name"], "size": 3.0, "color": "red", "serial": ANY}
    assert isinstance(state.outputs["size"], float), "numbers cross the wire as floats"
    assert "note" not in state.inputs, "None inputs are never sent"
    assert is_secret(state.inputs["__provider"]) and is_secret(state.outputs["__provider"])
    assert store.resources()[state.id]["size"] == 3


def test_unchanged_inputs_diff_to_a_same_step_without_update(engine: Engine, created: ResourceState) -> None:
    outcome = engine.up_update(created, {"size": 3})
    assert outcome.rpcs == ["Check", "Diff"]
    assert outcome.op == "same"
    assert outcome.diff is not None and outcome.diff.changes == "DIFF_NONE"
    assert outcome.state == created


def test_update_in_place(engine: Engine, created: ResourceState, store: ToyStore) -> None:
    outcome = engine.up_update(created, {"size": 5})
    assert outcome.rpcs == ["Check", "Diff", "Update"]
    assert outcome.op == "update"
    assert outcome.diff is not None and (outcome.diff.changes, outcome.diff.replaces) == ("DIFF_SOME", ())
    assert outcome.state is not None and outcome.state.id == created.id
    assert outcome.state.plain_outputs()["size"] == 5.0
    assert outcome.state.inputs["name"] == created.inputs["name"], "check kept the auto-name from the old inputs"
    assert store.resources()[created.id]["size"] == 5


def test_preview_update_with_unknown_diffs_but_does_not_update(
    engine: Engine, created: ResourceState, store: ToyStore
) -> None:
    outcome = engine.preview_update(created, {"size": unknown()})
    assert outcome.rpcs == ["Check", "Diff"]
    assert outcome.op == "update"
    assert store.resources()[created.id]["size"] == 3


def test_replace_creates_before_deleting(engine: Engine, created: ResourceState, store: ToyStore) -> None:
    outcome = engine.up_update(created, {"size": 3, "color": "green"})
    assert outcome.rpcs == ["Check", "Diff", "Check", "Create", "Delete"]
    assert outcome.op == "replace"
    assert outcome.diff is not None and outcome.diff.replaces == ("color",)
    new = outcome.state
    assert new is not None and new.id != created.id
    assert new.inputs["name"] != created.inputs["name"], "the second Check has no olds, so the auto-name is fresh"
    assert created.id not in store.resources() and store.resources()[new.id]["color"] == "green"


def test_replace_deletes_first_when_the_diff_asks(engine: Engine, created: ResourceState) -> None:
    outcome = engine.up_update(created, {"size": 3, "color": "green", "dbr": True})
    assert outcome.rpcs == ["Check", "Diff", "Check", "Delete", "Create"]
    assert outcome.diff is not None and outcome.diff.delete_before_replace


def test_preview_of_a_replace_rechecks_but_touches_nothing(
    engine: Engine, created: ResourceState, store: ToyStore
) -> None:
    outcome = engine.preview_update(created, {"size": 3, "color": "green"})
    assert outcome.rpcs == ["Check", "Diff", "Check"]
    assert outcome.op == "replace"
    assert store.resources()[created.id]["color"] == "red"


def test_check_failures_stop_the_step(engine: Engine, created: ResourceState) -> None:
    outcome = engine.up_update(created, {"size": -1})
    assert outcome.rpcs == ["Check"]
    assert outcome.op == "invalid"
    assert outcome.failures == [("size", "size must not be negative")]
    assert outcome.state == created


def test_up_refuses_unknowns(engine: Engine) -> None:
    with pytest.raises(ValueError, match="previews"):
        engine.up_create({"size": unknown()})


def test_provider_exceptions_surface_with_traceback(engine: Engine) -> None:
    with pytest.raises(OperationError) as failure:
        engine.up_create({"size": 1, "name": "boom"})
    assert failure.value.rpc == "Create"
    assert "Traceback" in failure.value.message and "refusing to create 'boom'" in failure.value.message
    assert failure.value.outcome.rpcs == ["Check", "Create"]


def test_refresh_without_drift(engine: Engine, created: ResourceState) -> None:
    outcome = engine.refresh(created)
    assert outcome.rpcs == ["Read", "Diff"]
    assert outcome.op == "same"
    assert outcome.state is not None and outcome.state.plain_outputs() == created.plain_outputs()


def test_refresh_picks_up_drift_and_returned_inputs(engine: Engine, created: ResourceState, store: ToyStore) -> None:
    store.put(created.id, {**store.resources()[created.id], "size": 7})
    outcome = engine.refresh(created)
    assert outcome.rpcs == ["Read", "Diff"]
    assert outcome.op == "update"
    refreshed = outcome.state
    assert refreshed is not None
    assert refreshed.plain_outputs()["size"] == 7.0
    assert refreshed.plain_inputs()["size"] == 7.0, "ReadResult.inputs replaced the stored inputs"
    assert is_secret(refreshed.inputs["__provider"]), "secretness carried over from the old inputs"
    # The next `up` with the unchanged program puts the desired size back.
    back = engine.up_update(refreshed, {"size": 3})
    assert back.rpcs == ["Check", "Diff", "Update"]
    assert store.resources()[created.id]["size"] == 3


def test_refresh_of_a_deleted_resource_drops_it(engine: Engine, created: ResourceState, store: ToyStore) -> None:
    store.remove(created.id)
    outcome = engine.refresh(created)
    assert outcome.rpcs == ["Read"]
    assert (outcome.op, outcome.state) == ("delete", None)


def test_destroy_deletes_with_old_outputs(engine: Engine, created: ResourceState, store: ToyStore) -> None:
    outcome = engine.destroy(created)
    assert (outcome.rpcs, outcome.op, outcome.state) == (["Delete"], "delete", None)
    assert created.id not in store.resources()


def test_import_canary_pulumi_16175(engine: Engine, created: ResourceState) -> None:
    """Import sends Read(id) with no properties, so the server cannot find ``__provider``. If this starts passing
    through, Pulumi fixed #16175 and `pulumi import` may work for dynamic providers: revisit the adopt workaround."""
    with pytest.raises(OperationError) as failure:
        engine.import_read(created.id)
    assert failure.value.rpc == "Read"
    assert "KeyError: '__provider'" in failure.value.message


def test_default_diff_falls_back_to_the_engine_comparing_inputs(server: ProviderServer) -> None:
    engine = Engine(server, BareProvider)
    created = engine.up_create({"size": 1}).state
    assert created is not None and engine.urn("res").endswith("::pulumi-python:dynamic:Resource::res")
    same = engine.up_update(created, {"size": 1})
    assert same.diff is not None and (same.diff.changes, same.op) == ("DIFF_UNKNOWN", "same")
    changed = engine.up_update(created, {"size": 2})
    assert changed.diff is not None and (changed.diff.changes, changed.op) == ("DIFF_UNKNOWN", "update")
    assert changed.rpcs == ["Check", "Diff", "Update"]
    assert changed.state is not None and changed.state.plain_outputs() == {}, "default update(): outputs wiped"


def test_secret_inputs_and_additional_secret_outputs(server: ProviderServer) -> None:
    engine = Engine(server, ToyProvider, TOY_TYPE, additional_secret_outputs=["serial"])
    state = engine.up_create({"size": 2, "name": secret("hush")}).state
    assert state is not None
    assert is_secret(state.inputs["name"]) and is_secret(state.outputs["name"]), "same-key outputs stay secret"
    assert is_secret(state.outputs["serial"]) and not is_secret(state.outputs["size"])
    assert reveal(state.outputs["name"]) == "hush", "the provider itself only ever saw plaintext"


def test_provider_stderr_is_captured(engine: Engine, server: ProviderServer) -> None:
    engine.preview_create({"size": 500})
    assert "toy: warning: size 500 is unusually large" in server.stderr()


def test_configure_receives_the_whole_namespaced_config_once(tmp_path: Path) -> None:
    store = ToyStore(tmp_path / "store.json")
    config = {STORE_KEY: str(store.path), "msads:environment": "sandbox", "msads:developerToken": secret("tok")}
    with ProviderServer(config, project="proj", log_dir=tmp_path) as server:
        engine = Engine(server, ToyProvider, TOY_TYPE)
        assert store.configs() == [], "configure() waits for the first resource RPC"
        engine.preview_create({"size": 1})
        engine.up_create({"size": 1})
        assert server.stop() == 0
    assert store.configs() == [
        {"config": {**config, "msads:developerToken": "tok"}, "project": "proj"},
    ], "secrets arrive unwrapped; configure runs once per __provider blob per process"


def test_program_under_mocks_registers_the_custom_type_token() -> None:
    mocks = RecordingMocks(outputs=lambda args: {**args.inputs, "serial": "s-42"})
    serial = run_program(lambda: Toy("web", size=3).serial, mocks)
    assert serial == "s-42"
    [toy] = mocks.resources
    assert (toy.typ, toy.name) == (TOY_TYPE, "web")
    assert is_secret(toy.inputs["__provider"])
    assert {k: v for k, v in toy.inputs.items() if k != "__provider"} == {"size": 3.0}, "None inputs are dropped"


def test_startup_of_an_existing_stack_diffs_the_config_and_refresh_or_destroy_only_configures(tmp_path: Path) -> None:
    """Registry.Check/Diff for a default provider already in state; Registry.Same when refresh or destroy loads it."""
    config = {STORE_KEY: str(tmp_path / "store.json")}
    with ProviderServer(config, stored_config=config, log_dir=tmp_path / "up") as up:
        assert [call for call, _ in up.startup] == [
            "Handshake",
            "GetPluginInfo",
            "CheckConfig",
            "DiffConfig",
            "Configure",
        ]
        assert dict(up.startup)["DiffConfig"] == "UNIMPLEMENTED"
    with ProviderServer(config, runs_program=False, log_dir=tmp_path / "refresh") as refresh:
        assert [call for call, _ in refresh.startup] == ["Handshake", "GetPluginInfo", "Configure"]


def test_the_delete_before_replace_option_overrides_the_diff_both_ways(engine: Engine, created: ResourceState) -> None:
    asked = engine.up_update(created, {"size": 3, "color": "green", "dbr": True}, delete_before_replace=False)
    assert asked.rpcs == ["Check", "Diff", "Check", "Create", "Delete"], "an explicit false wins over the provider"
    assert asked.state is not None
    forced = engine.up_update(asked.state, {"size": 3, "color": "blue"}, delete_before_replace=True)
    assert forced.rpcs == ["Check", "Diff", "Check", "Delete", "Create"]


def test_the_engine_input_diff_compares_types_as_well_as_values(server: ProviderServer) -> None:
    """step_generator.go:diffResource diffs Go property values: true is not 1, though Python says True == 1.0."""
    engine = Engine(server, BareProvider)
    created = engine.up_create({"size": 1, "flag": True}).state
    assert created is not None
    changed = engine.up_update(created, {"size": 1, "flag": 1})
    assert changed.diff is not None and (changed.diff.changes, changed.op) == ("DIFF_UNKNOWN", "update")
