"""Any input at all gets an answer, never a crash: property-based tests of check, the YAML loader and the emulator.

The provider's check must turn any property bag the engine could send into either checked inputs
or per-property failures. The emulator must answer any body with a SOAP message (a fault for
anything malformed) and keep serving.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pulumi.output import Unknown

from pulumi_msads import gitops
from pulumi_msads.emulator.process import EmulatorProcess
from pulumi_msads.models import AccountModel, CustomerModel
from pulumi_msads.providers import check_inputs

from ..samples import account_inputs, customer_inputs

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

# What the engine can send: strings, floats (every number), booleans, lists and maps, and unknowns.
leaves = st.one_of(st.text(max_size=120), st.floats(allow_nan=False), st.booleans(), st.just(Unknown()))
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=20), inner, max_size=5)),
    max_leaves=12,
)
KEYS = sorted({*CustomerModel.model_fields, *AccountModel.model_fields, "bogus"})


def mutated(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid input with some properties replaced by arbitrary values (nested ones included)."""
    return st.dictionaries(st.sampled_from(KEYS), values, max_size=4).map(lambda changes: {**base, **changes})


def assert_answered(model: type, news: dict[str, Any]) -> None:
    result = check_inputs(model, news)  # must not raise
    for failure in result.failures:
        assert isinstance(failure.property, str) and isinstance(failure.reason, str) and failure.reason
    if not result.failures:
        assert isinstance(result.inputs, dict)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=30), values, max_size=8))
def test_check_answers_any_property_bag(news: dict[str, Any]) -> None:
    assert_answered(CustomerModel, news)
    assert_answered(AccountModel, news)


@settings(max_examples=300, deadline=None)
@given(mutated(customer_inputs()))
def test_check_answers_any_change_to_a_valid_customer(news: dict[str, Any]) -> None:
    assert_answered(CustomerModel, news)


@settings(max_examples=300, deadline=None)
@given(mutated(account_inputs("251000002")))
def test_check_answers_any_change_to_a_valid_account(news: dict[str, Any]) -> None:
    assert_answered(AccountModel, news)


def envelope(body: str) -> bytes:
    return f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


VALID = envelope(
    '<GetCustomerRequest xmlns="https://bingads.microsoft.com/Customer/v13"><CustomerId>1</CustomerId>'
    "</GetCustomerRequest>"
)


def truncations(data: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(data) - 1).map(lambda n: data[:n])


bodies = st.one_of(
    st.binary(max_size=400),
    truncations(VALID),
    st.text(max_size=200).map(lambda t: envelope(t.replace("<", "&lt;"))),
    st.sampled_from(["GetCustomer", "SignupCustomer", "UpdateAccount", "Nope"]).flatmap(
        lambda op: st.text(max_size=60).map(
            lambda text: envelope(
                f'<{op}Request xmlns="https://bingads.microsoft.com/Customer/v13">'
                f"<Bogus>{text.replace('<', '')}</Bogus></{op}Request>"
            )
        )
    ),
    st.just(VALID.replace(b"Customer/v13", b"Customer/v12")),
    st.just(b"<" * 200_000),
)


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with EmulatorProcess(tmp_path_factory.mktemp("fuzz") / "emulator.sqlite3") as process:
        yield process


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_the_emulator_answers_any_body_with_soap_and_keeps_serving(fuzz_target: EmulatorProcess, body: bytes) -> None:
    response = requests.post(fuzz_target.url, data=body, headers={"Content-Type": "text/xml"}, timeout=30)
    assert response.status_code in (200, 500)
    assert "Traceback" not in response.text
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    if response.status_code == 500:
        assert root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultstring") is not None
    assert fuzz_target.control.is_up()


# -- the GitOps loader ----------------------------------------------------------------------------------------

EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "gitops" / "accounts.yaml").read_text()


def assert_loaded_or_refused(text: str) -> None:
    try:
        gitops.loads(text)
    except gitops.DesiredStateError as error:
        assert error.failures, "a refusal lists at least one problem"
        for path, reason in error.failures:
            assert isinstance(path, str) and isinstance(reason, str) and reason


yaml_values = st.recursive(
    st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=15), inner, max_size=5)),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_loader_answers_any_text(text: str) -> None:
    assert_loaded_or_refused(text)


@settings(max_examples=300, deadline=None)
@given(yaml_values)
def test_the_loader_answers_any_yaml_document(document: Any) -> None:
    assert_loaded_or_refused(yaml.safe_dump(document))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(EXAMPLE)), st.text(max_size=20))
def test_the_loader_answers_any_edit_of_the_example(position: int, inserted: str) -> None:
    assert_loaded_or_refused(EXAMPLE[:position] + inserted + EXAMPLE[position:])
