"""Microsoft's REST SDK (``msads``) against the emulator's REST face, as a second, independent client.

The REST twin of ``test_official_sdk.py``, which does the same for the SOAP face with the SOAP
SDK ``bingads``. msads cannot be imported here: it installs a top-level package also named
``bingads`` (its REST ``ServiceClient`` and authorization classes), which would overwrite the SOAP
SDK in this environment. So it lives in an environment of its own, ``.venv-msads`` (made by
``scripts/msads-env`` when missing, never skipped), and the checks are one script run there,
``tests/peer/msads_suite.py``, against an emulator of this module's own. The script reports each
check as JSON; each check is one test here, named in ``CHECKS`` so that a check the script did
not report fails too.

Beyond what msads accepts, the two faces must agree: what the suite created reads the same over
SOAP (zeep) and over REST (plain HTTP) once the SOAP body is encoded by ``rest_codec``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest
import requests
import zeep
from zeep.helpers import serialize_object

from pulumi_msads.emulator.process import EmulatorProcess
from pulumi_msads.rest_codec import response_to_json

from .support import HEADERS

ROOT = Path(__file__).resolve().parents[2]
MSADS_PYTHON = ROOT / ".venv-msads" / "bin" / "python"
SUITE = ROOT / "tests" / "peer" / "msads_suite.py"
SUITE_TIMEOUT = 120

CHECKS = (
    "GetUser",
    "SignupCustomer",
    "GetCustomer",
    "UpdateCustomer",
    "UpdateCustomerStaleTimeStamp",
    "AddAccount",
    "GetAccount",
    "UpdateAccount",
    "UpdateAccountStaleTimeStamp",
    "DeleteAccount",
    "SearchAccounts",
    "GetCustomersInfo",
    "GetAccountsInfo",
    "FaultWithTrackingId",
)
"""The suite's checks, in the order it runs them."""

REST_HEADERS = {
    "Authorization": f"Bearer {HEADERS['AuthenticationToken']}",
    "DeveloperToken": HEADERS["DeveloperToken"],
}


class Read(NamedTuple):
    """A read of one entity the suite created, the same over both faces."""

    operation: str
    path: str
    """Its REST path, after ``/CustomerManagement/v13``."""
    id_field: str
    id_name: str
    """The entity's key in the report's ``ids``."""


READS = (
    Read("GetCustomer", "/Customer/Query", "CustomerId", "customer_id"),
    Read("GetAccount", "/Account/Query", "AccountId", "account_id"),
)


@pytest.fixture(scope="module")
def msads_python() -> Path:
    """The interpreter of ``.venv-msads``, made by ``scripts/msads-env`` if it is not there yet."""
    if not MSADS_PYTHON.exists():
        made = subprocess.run(
            [str(ROOT / "scripts" / "msads-env")], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert made.returncode == 0, f"scripts/msads-env failed:\n{made.stdout}{made.stderr}"
    return MSADS_PYTHON


@pytest.fixture(scope="module")
def peer_emulator() -> Iterator[EmulatorProcess]:
    """An emulator of this module's own: the suite's data stays out of the session emulator."""
    with EmulatorProcess(":memory:") as process:
        yield process


@pytest.fixture(scope="module")
def rest_base(peer_emulator: EmulatorProcess) -> str:
    """``scheme://host:port`` of the emulator: msads appends ``/CustomerManagement/v13/...`` to it."""
    parts = urlsplit(peer_emulator.url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="module")
def report(msads_python: Path, rest_base: str, peer_emulator: EmulatorProcess) -> dict[str, Any]:
    """The suite's JSON report: ``{"checks": [{"name", "ok", "detail"}, ...], "ids": {...}}``."""
    done = subprocess.run(
        [str(msads_python), str(SUITE), rest_base], capture_output=True, text=True, timeout=SUITE_TIMEOUT
    )
    assert done.returncode == 0, (
        f"msads_suite.py crashed (exit {done.returncode}):\n{done.stderr}\nemulator log:\n{peer_emulator.log_text()}"
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("check", CHECKS)
def test_msads_passes_the_peer_check(check: str, report: dict[str, Any]) -> None:
    results = {result["name"]: result for result in report["checks"]}
    assert check in results, f"the suite reported no {check} check; it reported {list(results)}"
    assert results[check]["ok"], f"{check}: {results[check]['detail']}"


def test_the_suite_runs_exactly_the_listed_checks_in_order(report: dict[str, Any]) -> None:
    assert tuple(result["name"] for result in report["checks"]) == CHECKS


@pytest.mark.parametrize("read", READS, ids=[read.operation for read in READS])
def test_soap_and_rest_read_the_same_entity(
    read: Read, report: dict[str, Any], rest_base: str, peer_emulator: EmulatorProcess
) -> None:
    entity_id = report["ids"].get(read.id_name)
    assert entity_id, f"the suite created no {read.id_name}: {report['ids']}"

    soap = zeep.Client(peer_emulator.url + "?wsdl")
    soap_body = getattr(soap.service, read.operation)(**{read.id_field: int(entity_id)}, _soapheaders=HEADERS).body
    over_soap = response_to_json(read.operation, serialize_object(soap_body, target_cls=dict))

    response = requests.post(
        f"{rest_base}/CustomerManagement/v13{read.path}",
        json={read.id_field: entity_id},
        headers=REST_HEADERS,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json() == over_soap
