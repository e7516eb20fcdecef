"""A CLI-free stand-in for the Pulumi engine, for testing Python dynamic providers.

``engine`` starts the real ``python -m pulumi.dynamic`` provider server and drives it with the RPC sequences the engine
uses for preview, up, refresh, destroy and import; ``mocks`` runs programs under ``pulumi.runtime.set_mocks``.
See /work/shared/reference/notes/pulumi-dynamic-providers.md, sections 1 and 2, for the protocol this copies.
"""

from .engine import (
    DEFAULT_PROJECT,
    DEFAULT_STACK,
    Diff,
    Engine,
    OperationError,
    Outcome,
    ProviderServer,
    ResourceState,
    annotate_secrets,
    contains_secrets,
    contains_unknowns,
    is_secret,
    provider_blob,
    reveal,
    run_on_private_loop,
    secret,
    unknown,
)
from .mocks import RecordingMocks, RegisteredResource, run_program

__all__ = [
    "DEFAULT_PROJECT",
    "DEFAULT_STACK",
    "Diff",
    "Engine",
    "OperationError",
    "Outcome",
    "ProviderServer",
    "RecordingMocks",
    "RegisteredResource",
    "ResourceState",
    "annotate_secrets",
    "contains_secrets",
    "contains_unknowns",
    "is_secret",
    "provider_blob",
    "reveal",
    "run_on_private_loop",
    "run_program",
    "secret",
    "unknown",
]
