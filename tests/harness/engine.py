"""Drive the real Python dynamic-provider server the way the Pulumi engine does, without the Pulumi CLI.

Why this exists: calling ``ResourceProvider`` methods directly skips everything the engine and the ``pulumi.dynamic``
server do around them (which RPCs run in which operation, old inputs vs. old outputs, unknowns, secret stripping and
re-marking, ``__provider`` unpickling, configure-once-per-blob, float numbers, dropped ``None``), and the CLI cannot
assert on single RPCs. The official CLI (tests/cli, ``pulumi`` v3.274.1) is the authority: each rule here cites the
engine source it copies, or the CLI test that shows it.

Citations: ``resource/...``, ``engine/...`` and ``host/...`` are in github.com/pulumi/pulumi/pkg/v3@v3.274.1;
``go/common/...`` and ``python/dist/...`` in sdk/v3@v3.274.1, where ``provider_plugin.go`` is
``go/common/resource/plugin/provider_plugin.go`` (the engine's side of every provider RPC); ``pulumi/...`` is the
installed Python SDK; ``test_...`` names are tests under tests/cli. Not modelled: several resources at once
(dependents, deletes deferred to the end of the deployment), protect, retain_on_delete, ignore_changes,
replace_on_changes, aliases, targets.

Property bags are kept in *engine form*: plain Python values as ``rpc.deserialize_properties(keep_unknowns=True)``
returns them, with secrets as ``rpc.wrap_rpc_secret`` dicts and preview unknowns as ``pulumi.output.Unknown``. Known
simplifications: the SDK's deserializer hoists a nested secret to its enclosing dict/list and drops ``None`` values
inside dicts, where the Go engine would keep the secret nested and the null.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROJECT = "msads-test"
DEFAULT_STACK = "test"
PROVIDER_KEY = "__provider"
RPC_TIMEOUT = 120.0
DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-python"

Props = dict[str, Any]


# --- property bags --------------------------------------------------------------------------------------------------


def secret(value: Any) -> Any:
    """Mark a value secret, the way the engine holds it in state and sends it to Configure (``args`` is marshalled with
    KeepSecrets: provider_plugin.go:Configure)."""
    return rpc.wrap_rpc_secret(value)


def unknown() -> Unknown:
    """A value not known until the update runs; put it in ``news`` for previews (only Check and Diff see one: the
    step generator allows unknowns only when DryRun, resource/deploy/step_generator.go:continueStepsFromImport)."""
    return Unknown()  # type: ignore[no-untyped-call]


def is_secret(value: Any) -> bool:
    return bool(rpc.is_rpc_secret(value))


def reveal(value: Any) -> Any:
    """Drop secret markers at every depth: what the engine sends a provider whose Configure said acceptSecrets=false
    (go/common/resource/plugin/rpc.go:MarshalPropertyValue with KeepSecrets false sends the element)."""
    if rpc.is_rpc_secret(value):
        return reveal(value["value"])
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def contains_secrets(value: Any) -> bool:
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secrets(v) for v in value.values())
    return isinstance(value, list) and any(contains_secrets(v) for v in value)


def contains_unknowns(value: Any) -> bool:
    if isinstance(value, Unknown) or value == rpc.UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknowns(v) for v in value.values())
    return isinstance(value, list) and any(contains_unknowns(v) for v in value)


def annotate_secrets(outs: Props, ins: Props) -> Props:
    """provider_plugin.go:annotateSecrets: re-mark an output secret when the input *with the same key* held a secret.

    Objects on both sides are walked recursively; any other value (a list, say) becomes secret as a whole. The plugin
    applies it to Check (against the news), Create (the properties), Update (the new inputs) and Read (inputs against
    the old inputs, state against the old outputs) whenever the provider did not accept secrets.
    """
    result = dict(outs)
    for key, in_value in ins.items():
        if key not in result:
            continue
        out_value = result[key]
        if _is_object(out_value) and _is_object(in_value):
            result[key] = annotate_secrets(out_value, in_value)
        elif not rpc.is_rpc_secret(out_value) and contains_secrets(in_value):
            result[key] = rpc.wrap_rpc_secret(out_value)
    return result


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and not rpc.is_rpc_secret(value)


def run_on_private_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end on an event loop of its own, as the provider server does.

    The thread's current loop is left alone: ``asyncio.run`` would set it to None, and the ``set_mocks`` tests that
    run after in the same worker need ``asyncio.get_event_loop()`` to answer.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _to_struct(props: Props) -> struct_pb2.Struct:
    """Serialize with the SDK itself (numbers become floats, top-level ``None`` is dropped): never "fix" what it
    does."""
    return run_on_private_loop(rpc.serialize_properties(props, {}))


def _from_struct(struct: struct_pb2.Struct) -> Props:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


# --- the provider blob ----------------------------------------------------------------------------------------------

_BLOBS: dict[type[ResourceProvider], tuple[str, bool]] = {}


def provider_blob(provider_cls: type[ResourceProvider]) -> tuple[str, bool]:
    """``(blob, captured_secrets)`` exactly as pulumi/dynamic/dynamic.py:Resource.__init__ builds ``__provider``.

    Cached: built once per class per test session, because every ``serialize_provider`` call leaks one more layer of a
    pickle monkey-patch and a few hundred calls end in ``RecursionError`` (notes 1.7).
    """
    if provider_cls not in _BLOBS:
        _BLOBS[provider_cls] = _serialize(True, serialize_provider, provider_cls())
    return _BLOBS[provider_cls]


# --- the provider process -------------------------------------------------------------------------------------------


class ProviderServer:
    """The ``pulumi-resource-pulumi-python`` plugin process, started and configured as the engine does it.

    The launcher (python/dist/pulumi-resource-pulumi-python) runs ``python -u -m pulumi.dynamic <engine-address>``; the
    engine starts it in the program directory with ``PULUMI_PROJECT`` set (provider_plugin.go:NewProvider passes
    ``ctx.Pwd`` to go/common/resource/plugin/plugin.go:ExecPlugin) and reads the port from the first stdout line
    (plugin.go:newPlugin; test_the_launcher_starts_the_provider_server_in_the_program_directory). The server ignores
    the address; we pass a placeholder. Output after the port line is what ``pulumi up`` would show the user, so both
    streams go to files tests can read.

    One process serves every dynamic resource of a deployment (the one default provider,
    resource/deploy/default_providers.go), and the user's ``configure()`` runs once per distinct ``__provider`` blob per
    process (pulumi/dynamic/__main__.py:get_provider): to test another config, start another server.

    ``config`` is the stack config as the default provider's inputs (resource/deploy/target.go:GetPackageConfig: every
    key, namespace kept, secrets marked). ``stored_config`` is what the last ``up`` stored as those inputs (None: a new
    stack). ``runs_program=False`` is ``pulumi refresh`` / ``pulumi destroy``, which configure the provider from state;
    pass the stored config as ``config`` then.
    """

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        project: str = DEFAULT_PROJECT,
        stack: str = DEFAULT_STACK,
        log_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path = REPO_ROOT,
        stored_config: Mapping[str, Any] | None = None,
        runs_program: bool = True,
    ) -> None:
        self.config: Props = dict(config or {})
        self.stored_config: Props | None = None if stored_config is None else dict(stored_config)
        self.runs_program = runs_program
        self.project = project
        self.stack = stack
        self.cwd = cwd
        self.env = {**os.environ, "PULUMI_PROJECT": project, **(env or {})}
        self.log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="pulumi-dynamic-"))
        self.stdout_path = self.log_dir / "provider.stdout"
        self.stderr_path = self.log_dir / "provider.stderr"
        self.startup: list[tuple[str, str]] = []
        """``(rpc, status)`` for each provider-level call made before the first resource RPC."""
        self.provider_id = str(uuid.uuid4())
        """The default provider's ID; registry.go:Registry.Create makes a new UUID, Same keeps the stored one."""
        self.configure_response: provider_pb2.ConfigureResponse | None = None
        self.plugin_version = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: Any = None

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def stub(self) -> Any:
        """The raw ``ResourceProviderStub``, for RPCs the helpers do not cover."""
        if self._stub is None:
            raise RuntimeError("provider server is not running")
        return self._stub

    @property
    def accepts_secrets(self) -> bool:
        return bool(self.configure_response and self.configure_response.acceptSecrets)

    def start(self, timeout: float = 30.0) -> ProviderServer:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self._process = subprocess.Popen(
                [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:0"],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        port = self._read_port(timeout)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=timeout)
        self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self._configure()
        return self

    def _read_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            first, newline, _ = self.stdout_path.read_bytes().partition(b"\n")
            if newline:
                return int(first)
            if self._process is not None and self._process.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"provider server printed no port; stderr:\n{self.stderr()}")

    def _configure(self) -> None:
        """The provider-level RPCs, in the engine's order, with its tolerance of UNIMPLEMENTED."""
        urn = f"urn:pulumi:{self.stack}::{self.project}::{DEFAULT_PROVIDER_TYPE}::default"
        # provider_plugin.go:NewProvider: Handshake as the plugin starts; both directories are the plugin binary's
        # (here the interpreter's). UNIMPLEMENTED: provider_plugin.go:handshake keeps the legacy protocol.
        binary_dir = str(Path(sys.executable).parent)
        handshake = provider_pb2.ProviderHandshakeRequest(
            engine_address="127.0.0.1:0",
            root_directory=binary_dir,
            program_directory=binary_dir,
            configure_with_urn=True,
            supports_views=True,
            supports_refresh_before_update=True,
            invoke_with_preview=True,
            accepts_byte_string=True,
        )
        self._provider_call("Handshake", handshake, optional=True)
        # host/host.go:loadProvider: GetPluginInfo right after loading, for the version check only.
        self.plugin_version = self._provider_call("GetPluginInfo", empty_pb2.Empty()).version
        config_struct = _to_struct(self.config)
        if self.runs_program:
            # resource/deploy/providers/registry.go:Registry.Check: CheckConfig(olds=stored inputs, news=config), no
            # seed. UNIMPLEMENTED: provider_plugin.go:CheckConfig returns the news as they are.
            stored = _to_struct(self.stored_config or {})
            check = provider_pb2.CheckRequest(
                urn=urn, name="default", type=DEFAULT_PROVIDER_TYPE, olds=stored, news=config_struct
            )
            self._provider_call("CheckConfig", check, optional=True)
            if self.stored_config is not None:
                # registry.go:Registry.Diff, for a default provider already in state. UNIMPLEMENTED:
                # provider_plugin.go:DiffConfig says DiffUnknown and the registry compares the stored outputs with the
                # new inputs: an update or a same, never a replace of the dynamic resources.
                diff = provider_pb2.DiffRequest(
                    urn=urn,
                    name="default",
                    type=DEFAULT_PROVIDER_TYPE,
                    olds=stored,
                    news=config_struct,
                    old_inputs=stored,
                )
                self._provider_call("DiffConfig", diff, optional=True)
        # registry.go:Registry.Create/Update/Same: Configure, in previews too. Refresh and destroy load the provider
        # from state (resource/deploy/deployment.go:EnsureProvider -> Registry.Same): Configure only, no CheckConfig.
        # provider_plugin.go:Configure: ``variables`` is the legacy "<pkg>:config:<key>" map (no "version" key,
        # secrets removed, non-strings JSON); ``args`` keeps the secrets. Configure's answer sets the protocol
        # (acceptSecrets, supportsPreview) because there was no handshake.
        variables = {
            f"pulumi-python:config:{k}": _config_string(reveal(v)) for k, v in self.config.items() if k != "version"
        }
        configure = provider_pb2.ConfigureRequest(
            variables=variables,
            args=config_struct,
            acceptSecrets=True,
            acceptResources=True,
            sends_old_inputs=True,
            sends_old_inputs_to_delete=True,
            id=self.provider_id,
            urn=urn,
            name="default",
            type=DEFAULT_PROVIDER_TYPE,
        )
        self.configure_response = self._provider_call("Configure", configure)

    def _provider_call(self, method: str, request: Any, *, optional: bool = False) -> Any:
        try:
            response = getattr(self.stub, method)(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as error:
            self.startup.append((method, error.code().name))
            if optional and error.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None
            raise
        self.startup.append((method, "OK"))
        return response

    def stop(self, timeout: float = 10.0) -> int | None:
        """Close the channel, then SIGINT, then kill if it hangs (plugin.go:ExecPlugin: SIGINT to the process group,
        SIGKILL after 5 s)."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._stub = None
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        return process.returncode

    def stdout(self) -> str:
        """What the provider printed to stdout after the port line (the engine shows it as info)."""
        text = self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""
        return text.partition("\n")[2]

    def stderr(self) -> str:
        """What the provider printed to stderr (the engine shows it as error-level info)."""
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def logs(self) -> str:
        return self.stdout() + self.stderr()


def _config_string(value: Any) -> str:
    """provider_plugin.go:Configure: strings as they are, anything else as compact JSON (Go's json.Marshal; Go would
    print a whole float without ``.0``)."""
    return (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    )


# --- what helpers return --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceState:
    """One resource as the engine keeps it in the stack state (secrets still marked)."""

    urn: str
    id: str
    inputs: Props
    outputs: Props

    def plain_inputs(self) -> Props:
        """Inputs with secrets revealed and ``__provider`` left out, for assertions."""
        return {k: v for k, v in reveal(self.inputs).items() if k != PROVIDER_KEY}

    def plain_outputs(self) -> Props:
        """Outputs with secrets revealed and ``__provider`` left out, for assertions."""
        return {k: v for k, v in reveal(self.outputs).items() if k != PROVIDER_KEY}


@dataclass(frozen=True)
class Diff:
    """A DiffResponse as the Python server forwards it, plus the engine's verdict on it."""

    changes: str
    """``DIFF_UNKNOWN`` / ``DIFF_NONE`` / ``DIFF_SOME`` as the provider answered (``changes=None`` is DIFF_UNKNOWN)."""
    replaces: tuple[str, ...]
    delete_before_replace: bool
    has_changes: bool
    """After the engine's DIFF_UNKNOWN fallback (resource/deploy/step_generator.go:diffResource): old inputs compared
    with new inputs, secrets unwrapped, ``__provider`` included."""

    @property
    def replace(self) -> bool:
        """DIFF_SOME (after the fallback) and a non-empty ``replaces`` (go/common/resource/plugin/provider.go:
        DiffResult.Replace; the server sends no detailed diff); step_generator.go:continueStepsFromDiff."""
        return self.has_changes and bool(self.replaces)


@dataclass
class Outcome:
    """What one engine operation on one resource did."""

    op: str
    """``create``/``same``/``update``/``replace``/``delete``/``import``, or ``invalid`` when Check failed."""
    rpcs: list[str] = field(default_factory=list)
    """The resource RPCs that reach the provider, in order, e.g. ``["Check", "Diff", "Check", "Create", "Delete"]``.
    Create and Update in a preview are answered by the engine itself and are not listed."""
    state: ResourceState | None = None
    """The state afterwards: the planned state in a preview, ``None`` once the resource is gone."""
    diff: Diff | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)
    """Check failures as ``(property, reason)``; the engine fails the resource on any, in previews too
    (step_generator.go:continueStepsFromImport "resource is invalid", continueStepsFromDiff for the replace Check)."""


class OperationError(Exception):
    """An RPC failed (the server returns the provider's traceback) or the engine would reject the answer."""

    def __init__(self, rpc_name: str, message: str, outcome: Outcome) -> None:
        super().__init__(f"{rpc_name}: {message}")
        self.rpc = rpc_name
        self.message = message
        self.outcome = outcome


# --- the engine -----------------------------------------------------------------------------------------------------


class Engine:
    """Resource-level engine behaviour for one dynamic resource type, served by ``server``.

    ``news`` arguments are the program's inputs for the resource (without ``__provider``, which is added here the way
    ``dynamic.Resource`` adds it). ``delete_before_replace`` (None: not set) and ``additional_secret_outputs`` are the
    resource options.
    """

    def __init__(
        self,
        server: ProviderServer,
        provider_cls: type[ResourceProvider],
        type_token: str = "pulumi-python:dynamic:Resource",
        *,
        additional_secret_outputs: Sequence[str] = (),
    ) -> None:
        self.server = server
        self.provider_cls = provider_cls
        self.type_token = type_token
        self.additional_secret_outputs = tuple(additional_secret_outputs)

    def urn(self, name: str) -> str:
        """A top-level resource's URN (no parent type in it), as the CLI's logs show it."""
        return f"urn:pulumi:{self.server.stack}::{self.server.project}::{self.type_token}::{name}"

    def program_inputs(self, news: Props) -> Props:
        """The inputs as the engine receives them from the program: ``__provider`` added (secret by default,
        pulumi/dynamic/dynamic.py:Resource.__init__), numbers as floats, top-level ``None`` dropped."""
        if PROVIDER_KEY in news:
            raise ValueError("A dynamic resource must not define the __provider key")
        blob, captured_secrets = provider_blob(self.provider_cls)
        always_secret = getattr(self.provider_cls, "serialize_as_secret_always", True)
        provider = rpc.wrap_rpc_secret(blob) if always_secret or captured_secrets else blob
        return _from_struct(_to_struct({**news, PROVIDER_KEY: provider}))

    # -- program-driven operations --

    def preview_create(self, news: Props, *, name: str = "res") -> Outcome:
        """``pulumi preview`` of a new resource: Check only (unknowns allowed); the checked inputs are the outputs."""
        return self._register(None, self.urn(name), news, preview=True, delete_before_replace=None)

    def preview_update(
        self, state: ResourceState, news: Props, *, delete_before_replace: bool | None = None
    ) -> Outcome:
        """``pulumi preview`` of an existing resource: Check(old inputs) then Diff(old outputs); no Update. A replace
        re-runs Check without olds, as the step generator does in previews too (continueStepsFromDiff)."""
        return self._register(state, state.urn, news, preview=True, delete_before_replace=delete_before_replace)

    def up_create(self, news: Props, *, name: str = "res") -> Outcome:
        """``pulumi up`` (after its preview) of a new resource: Check then Create."""
        return self._register(None, self.urn(name), news, preview=False, delete_before_replace=None)

    def up_update(self, state: ResourceState, news: Props, *, delete_before_replace: bool | None = None) -> Outcome:
        """``pulumi up`` of an existing resource: Check, Diff, then nothing (same), Update, or a replace: Check without
        olds, Create, Delete old (or Delete first when delete-before-replace: the option when set, else the diff)."""
        return self._register(state, state.urn, news, preview=False, delete_before_replace=delete_before_replace)

    def _register(
        self, old: ResourceState | None, urn: str, news: Props, *, preview: bool, delete_before_replace: bool | None
    ) -> Outcome:
        goal = self.program_inputs(news)
        if not preview and contains_unknowns(goal):
            raise ValueError("unknown inputs only occur in previews; the engine never sends them to an update")
        out = Outcome(op="create" if old is None else "same", state=old)
        # step_generator.go:continueStepsFromRefresh: one random seed per registration, for both Checks.
        seed = os.urandom(32)
        # step_generator.go:continueStepsFromImport: Check(olds=old *inputs*, news=program inputs); no olds on create.
        checked = self._check(out, urn, old.inputs if old else {}, goal, preview=preview, seed=seed)
        if checked is None:
            return out
        if old is None:
            out.state = self._create(out, urn, checked, preview)
            return out
        # step_generator.go:diffResource: Diff(olds=old outputs, news=checked inputs, old_inputs=old inputs).
        out.diff = diff = self._diff(out, urn, old.id, old_inputs=old.inputs, old_outputs=old.outputs, news=checked)
        if not diff.has_changes:
            # step.go:SameStep.Apply: no RPC; the new inputs are written, the old ID and outputs (old __provider
            # included) are kept. Under the CLI: test_a_second_up_calls_nothing.
            out.state = self._finish(replace(old, inputs=checked))
        elif not diff.replace:
            out.op = "update"
            # step.go:UpdateStep.Apply keeps the old ID. In a preview provider_plugin.go:Update answers with the new
            # inputs, without an RPC, because Configure said supportsPreview=false; under the CLI a preview calls
            # nothing (test_one_edited_field_previews_as_that_field_only).
            outputs = checked if preview else self._update(out, old, checked)
            out.state = self._finish(replace(old, inputs=checked, outputs=outputs))
        else:
            out.op = "replace"
            # step_generator.go:continueStepsFromDiff: Check again with no olds (program inputs, same seed), in
            # previews too; failures stop the replace.
            rechecked = self._check(out, urn, {}, goal, preview=preview, seed=seed)
            if rechecked is None:
                return out
            # continueStepsFromDiff: the delete_before_replace option, when set (true or false), overrides the diff's.
            dbr = diff.delete_before_replace if delete_before_replace is None else delete_before_replace
            if dbr:
                # DeleteReplacementStep then CreateReplacementStep (dependents would be deleted first); in a preview
                # step.go:DeleteStep.Apply calls nothing.
                if not preview:
                    self._delete(out, old)
                out.state = self._create(out, urn, rechecked, preview)
            else:
                # CreateReplacementStep now; the old one is deleted after all creates and updates
                # (step_generator.go:GenerateDeletes), which for one resource is right after.
                out.state = self._create(out, urn, rechecked, preview)
                if not preview:
                    self._delete(out, old)
        return out

    # -- state-driven operations (the program is not run) --

    def refresh(self, state: ResourceState) -> Outcome:
        """``pulumi refresh`` (step.go:RefreshStep.Apply): Read(id, properties=old outputs, inputs=old inputs). An empty
        id means gone. Returned inputs replace the stored ones. Then Diff(olds=refreshed outputs, news=*old* inputs,
        old_inputs=refreshed inputs), the refresh diff against the desired state; op is ``same`` or ``update``
        (drift) accordingly (RefreshStep.ResultOp). Under the CLI:
        test_a_change_made_out_of_band_fails_the_drift_check_naming_the_field,
        test_a_clean_refresh_then_preview_expects_no_changes."""
        out = Outcome(op="same", state=state)
        request = provider_pb2.ReadRequest(
            **self._names(state.urn),
            id=state.id,
            properties=self._wire(state.outputs),
            inputs=self._wire(state.inputs),
        )
        response = self._call(out, "Read", request)
        if not response.id:
            # RefreshStep.Apply: a blank ID is a delete; no Diff.
            out.op, out.state = "delete", None
            return out
        # provider_plugin.go:Read: annotateSecrets(inputs, old inputs), annotateSecrets(state, old outputs).
        outputs = annotate_secrets(_from_struct(response.properties), state.outputs)
        inputs = state.inputs
        if response.HasField("inputs"):
            # ReadResult(inputs=...) replaces the stored inputs; without them the old inputs stay
            # (test_an_edit_after_a_refresh_shows_no_phantom_lines).
            inputs = annotate_secrets(_from_struct(response.inputs), state.inputs)
        refreshed = ResourceState(state.urn, response.id, inputs, outputs)
        out.diff = self._diff(out, state.urn, refreshed.id, old_inputs=inputs, old_outputs=outputs, news=state.inputs)
        out.op = "update" if out.diff.has_changes else "same"
        out.state = self._finish(refreshed)
        return out

    def destroy(self, state: ResourceState) -> Outcome:
        """``pulumi destroy`` (or removing the resource from the program): Delete(id, old outputs, old inputs) only
        (step_generator.go:GenerateDeletes, step.go:DeleteStep.Apply); no Check or Diff. Under the CLI:
        test_destroy_deactivates_every_account_and_says_the_customers_remain."""
        out = Outcome(op="delete", state=state)
        self._delete(out, state)
        out.state = None
        return out

    def import_read(self, resource_id: str, *, name: str = "res") -> Outcome:
        """``pulumi import`` / ``import_=``: step.go:ImportStep.Apply reads with Read(id) and no properties and no
        inputs, then checks the answer as below (the Check/Diff that follow an import are not modelled). Canary for
        pulumi#16175: the Python server fails with ``KeyError: '__provider'`` because nothing tells it which provider
        to unpickle."""
        urn = self.urn(name)
        out = Outcome(op="import")
        response = self._call(out, "Read", provider_pb2.ReadRequest(**self._names(urn), id=resource_id))
        if not response.HasField("properties"):
            raise OperationError("Read", f"resource '{resource_id}' does not exist", out)
        if not response.HasField("inputs"):
            raise OperationError("Read", "provider does not support importing resources", out)
        inputs, outputs = _from_struct(response.inputs), _from_struct(response.properties)
        out.state = self._finish(ResourceState(urn, response.id or resource_id, inputs, outputs))
        return out

    # -- single RPCs, with the engine's marshalling rules (provider_plugin.go) --

    def _check(self, out: Outcome, urn: str, olds: Props, news: Props, *, preview: bool, seed: bytes) -> Props | None:
        # provider_plugin.go:Check: olds always sent (empty, never nil), randomSeed, no old_outputs; unknowns kept only
        # when AllowUnknowns (a preview) and rejected in the answer otherwise.
        request = provider_pb2.CheckRequest(
            **self._names(urn), olds=self._wire(olds), news=self._wire(news), randomSeed=seed
        )
        response = self._call(out, "Check", request)
        out.failures = [(f.property, f.reason) for f in response.failures]
        if out.failures:
            out.op = "invalid"
            return None
        checked = annotate_secrets(_from_struct(response.inputs), news)
        if not preview and contains_unknowns(checked):
            raise OperationError("Check", "returned unknown inputs outside a preview", out)
        return checked

    def _diff(
        self, out: Outcome, urn: str, resource_id: str, *, old_inputs: Props, old_outputs: Props, news: Props
    ) -> Diff:
        # provider_plugin.go:Diff; the Python server reads olds (old outputs) and news only.
        request = provider_pb2.DiffRequest(
            **self._names(urn),
            id=resource_id,
            olds=self._wire(old_outputs),
            news=self._wire(news),
            old_inputs=self._wire(old_inputs),
        )
        response = self._call(out, "Diff", request)
        changes = provider_pb2.DiffResponse.DiffChanges.Name(response.changes)
        if response.changes == provider_pb2.DiffResponse.DIFF_UNKNOWN:
            # step_generator.go:diffResource: DIFF_UNKNOWN becomes SOME or NONE by diffing old inputs with new inputs.
            has_changes = _inputs_differ(reveal(old_inputs), reveal(news))
        else:
            has_changes = response.changes == provider_pb2.DiffResponse.DIFF_SOME
        return Diff(changes, tuple(response.replaces), response.deleteBeforeReplace, has_changes)

    def _create(self, out: Outcome, urn: str, checked: Props, preview: bool) -> ResourceState:
        if preview:
            # provider_plugin.go:Create: Preview and supportsPreview=false: the checked inputs come back as the
            # outputs, with no ID and no RPC.
            return self._finish(ResourceState(urn, "", checked, checked))
        request = provider_pb2.CreateRequest(**self._names(urn), properties=self._wire(checked))
        response = self._call(out, "Create", request)
        if not response.id:
            raise OperationError("Create", f"plugin returned empty resource.ID from create '{urn}'", out)
        outputs = annotate_secrets(_from_struct(response.properties), checked)
        return self._finish(ResourceState(urn, response.id, checked, outputs))

    def _update(self, out: Outcome, old: ResourceState, checked: Props) -> Props:
        # step.go:UpdateStep.Apply -> provider_plugin.go:Update(olds=old outputs, news=checked, old_inputs).
        request = provider_pb2.UpdateRequest(
            **self._names(old.urn),
            id=old.id,
            olds=self._wire(old.outputs),
            news=self._wire(checked),
            old_inputs=self._wire(old.inputs),
        )
        return annotate_secrets(_from_struct(self._call(out, "Update", request).properties), checked)

    def _delete(self, out: Outcome, old: ResourceState) -> None:
        # step.go:DeleteStep.Apply -> provider_plugin.go:Delete(properties=old outputs, old_inputs=old inputs).
        request = provider_pb2.DeleteRequest(
            **self._names(old.urn),
            id=old.id,
            properties=self._wire(old.outputs),
            old_inputs=self._wire(old.inputs),
        )
        self._call(out, "Delete", request)

    def _call(self, out: Outcome, method: str, request: Any) -> Any:
        out.rpcs.append(method)
        try:
            return getattr(self.server.stub, method)(request, timeout=RPC_TIMEOUT)
        except grpc.RpcError as error:
            raise OperationError(method, f"{error.code().name}: {error.details()}", out) from error

    def _wire(self, props: Props) -> struct_pb2.Struct:
        """Marshal for the provider: secrets stripped unless Configure said acceptSecrets (it never does today;
        provider_plugin.go: every resource RPC marshals with KeepSecrets: protocol.acceptSecrets)."""
        return _to_struct(props if self.server.accepts_secrets else reveal(props))

    def _names(self, urn: str) -> dict[str, Any]:
        """provider_plugin.go sends ``name`` and ``type`` taken from the URN on every resource RPC."""
        return {"urn": urn, "name": urn.rsplit("::", 1)[-1], "type": self.type_token}

    def _finish(self, state: ResourceState) -> ResourceState:
        """resource/deploy/step_executor.go:continueExecuteStep, on every new state (previews and refreshes too):
        ``additional_secret_outputs`` are made secret, and so is any output whose input of the same name is secret."""
        outputs = dict(state.outputs)
        for key in self.additional_secret_outputs:
            if key in outputs and not rpc.is_rpc_secret(outputs[key]):
                outputs[key] = rpc.wrap_rpc_secret(outputs[key])
        for key, value in list(outputs.items()):
            if not rpc.is_rpc_secret(value) and rpc.is_rpc_secret(state.inputs.get(key)):
                outputs[key] = rpc.wrap_rpc_secret(value)
        return replace(state, outputs=outputs)


def _inputs_differ(old: Any, new: Any) -> bool:
    """``resource.PropertyMap.Diff(...).AnyChanges()`` (go/common/resource/properties_diff.go) on plain values: in an
    object a null and a missing key are the same, an unknown never equals a known value, and ``True`` is not ``1.0``."""
    if isinstance(old, dict) and isinstance(new, dict):
        return any(
            not (old.get(k) is None and new.get(k) is None) and _inputs_differ(old.get(k), new.get(k))
            for k in old.keys() | new.keys()
        )
    if isinstance(old, list) and isinstance(new, list):
        return len(old) != len(new) or any(_inputs_differ(o, n) for o, n in zip(old, new, strict=True))
    if contains_unknowns(old) or contains_unknowns(new):
        return True
    return type(old) is not type(new) or old != new
