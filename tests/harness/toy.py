"""A toy dynamic provider that exercises every engine path the harness drives, for the harness's own tests.

It lives in an importable module so dill pickles it *by reference* (``tests.harness.toy.ToyProvider``), like the real
provider package; the provider process imports it because its cwd is the repo root. The instance is attribute-free
when pickled; ``configure()`` (which runs inside the provider process) opens the store named by ``toy:storePath``.

Resource model: ``size`` (number, required, updated in place), ``color`` (defaults to ``red``, replaced on change),
``name`` (auto-named ``toy-<hex>`` in check unless given; kept from olds), ``dbr`` (asks for delete-before-replace).
Output-only: ``serial``. Creating a resource named ``boom`` raises, to show how provider errors surface.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

STORE_KEY = "toy:storePath"
FIELDS = ("name", "size", "color")
_LOCK = threading.Lock()


class ToyStore:
    """A JSON file: the toy's "cloud". The provider process writes it; tests read it and edit it to fake drift."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"resources": {}, "configs": [], "serial": 0}
        data: dict[str, Any] = json.loads(self.path.read_text())
        return data

    def _save(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)

    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self._load()["resources"]
        return resources

    def configs(self) -> list[dict[str, Any]]:
        """One entry per ``configure()`` call: the config and project name it received."""
        configs: list[dict[str, Any]] = self._load()["configs"]
        return configs

    def put(self, resource_id: str, record: dict[str, Any]) -> None:
        with _LOCK:
            data = self._load()
            data["resources"][resource_id] = record
            self._save(data)

    def remove(self, resource_id: str) -> None:
        with _LOCK:
            data = self._load()
            data["resources"].pop(resource_id, None)
            self._save(data)

    def add_config(self, entry: dict[str, Any]) -> None:
        with _LOCK:
            data = self._load()
            data["configs"].append(entry)
            self._save(data)

    def next_serial(self) -> str:
        with _LOCK:
            data = self._load()
            data["serial"] += 1
            self._save(data)
            return f"s-{data['serial']}"


class ToyProvider(ResourceProvider):
    def configure(self, req: ConfigureRequest) -> None:
        self.store = ToyStore(req.config.get(STORE_KEY) or os.environ["TOY_STORE"])
        # Private fields, read only to record exactly what the server handed over.
        self.store.add_config({"config": dict(req.config._props), "project": req.config._project_name})

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = dict(news)
        failures = []
        size = news.get("size")
        if size is None:
            failures.append(CheckFailure("size", "size is required"))
        elif not isinstance(size, Unknown) and size < 0:
            failures.append(CheckFailure("size", "size must not be negative"))
        elif not isinstance(size, Unknown) and size > 100:
            print(f"toy: warning: size {size:g} is unusually large", file=sys.stderr)
        inputs.setdefault("color", "red")
        if "name" not in news:
            inputs["name"] = olds.get("name") or f"toy-{secrets.token_hex(4)}"
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in FIELDS if isinstance(news.get(k), Unknown) or olds.get(k) != news.get(k)]
        return DiffResult(
            changes=bool(changed),
            replaces=[k for k in changed if k == "color"],
            delete_before_replace=bool(news.get("dbr")),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props["name"] == "boom":
            raise RuntimeError("toy: refusing to create 'boom'")
        resource_id = f"toy-{uuid.uuid4().hex[:12]}"
        outs = {k: props[k] for k in FIELDS} | {"serial": self.store.next_serial()}
        self.store.put(resource_id, outs)
        return CreateResult(resource_id, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        outs = {k: news[k] for k in FIELDS} | {"serial": olds["serial"]}
        self.store.put(id_, outs)
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        record = self.store.resources().get(id_)
        if record is None:
            return ReadResult("", {})
        return ReadResult(id_, dict(record), inputs={k: record[k] for k in FIELDS})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self.store.remove(id_)


class Toy(Resource, module="toy", name="Toy"):
    """The program-side resource: type token ``pulumi-python:dynamic/toy:Toy``."""

    serial: pulumi.Output[str]
    size: pulumi.Output[float]

    def __init__(
        self, name: str, size: pulumi.Input[float], color: str | None = None, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(ToyProvider(), name, {"size": size, "color": color, "serial": None}, opts)


class BareProvider(ResourceProvider):
    """Only ``create``; every other method is the SDK default (check echoes, diff says "unknown", update returns no
    outs), to show what the engine makes of those defaults."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"bare-{uuid.uuid4().hex[:12]}", dict(props))
