"""How the native provider is served: the Python SDK's provider server, plus the one answer it cannot give.

``pulumi.provider.experimental.server`` turns whatever a provider method raises into a plain gRPC error, so a
create that made the resource and then failed a later step (an account added, its language not set) would
reach the engine as "nothing was made": the account would be live and unknown to the stack, and the next
``up`` would stop at the name guard. The engine has an answer for exactly this, a failed Create carrying an
``ErrorResourceInitFailed`` detail (pulumi/proto/pulumi/provider.proto): it records the resource with the id
and properties in it, fails the step with its reasons, and the next ``up`` updates the resource. ``Servicer``
sends that detail when the provider raises ``PartialCreateError``; every other answer is the SDK's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

import grpc
import grpc.aio
from google.protobuf import any_pb2
from pulumi.provider.experimental import provider as rpc_provider
from pulumi.provider.experimental import server
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, status_pb2  # the SDK's copy of google.rpc.Status

STATUS_DETAILS = "grpc-status-details-bin"
"""The trailer gRPC carries a google.rpc.Status in, details and all (what grpc-go's status.FromError reads)."""


class PartialCreateError(Exception):
    """A create that made the resource but failed a step after it: what the engine is to record, and why."""

    def __init__(self, made: rpc_provider.CreateResponse, inputs: dict[str, PropertyValue], reason: str) -> None:
        super().__init__(reason)
        self.made, self.inputs, self.reason = made, inputs, reason

    def status(self) -> status_pb2.Status:
        """The gRPC status of the failed Create: UNKNOWN, the reason, and the ErrorResourceInitFailed detail."""
        detail = any_pb2.Any()
        detail.Pack(
            provider_pb2.ErrorResourceInitFailed(
                id=self.made.resource_id or "",
                properties=PropertyValue.marshal_map(self.made.properties or {}),
                inputs=PropertyValue.marshal_map(self.inputs),
                reasons=[self.reason],
            )
        )
        return status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=self.reason, details=[detail])


class Servicer(server.ProviderServicer):
    """The SDK's servicer, whose Create answers a ``PartialCreateError`` with the engine's partial-failure detail."""

    async def Create(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:  # noqa: N802
        try:
            return await super().Create(request, context)
        except Exception as error:
            # The SDK's wrapper re-raises what the provider raised as a plain Exception, inside its handler:
            # the provider's exception is its __context__.
            partial = error.__context__
            if not isinstance(partial, PartialCreateError):
                raise
            details = ((STATUS_DETAILS, partial.status().SerializeToString()),)
            await context.abort(grpc.StatusCode.UNKNOWN, partial.reason, trailing_metadata=details)


def serve(args: list[str], version: str, provider: rpc_provider.Provider) -> None:
    """``server.main`` with our servicer: the port on stdout, then serve until the engine stops us."""
    parser = argparse.ArgumentParser(description="the msads provider plugin (gRPC server)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    engine_address: str = parser.parse_known_args(args)[0].engine

    async def run() -> None:
        grpc_server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = Servicer(args, version, provider, engine_address=engine_address)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, grpc_server)
        port = grpc_server.add_insecure_port(address="127.0.0.1:0")
        await grpc_server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await grpc_server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
