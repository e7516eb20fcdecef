"""Provider configuration: Pulumi config first, then environment variables, then defaults; and backoff."""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_msads import wsdl
from pulumi_msads.config import (
    ENDPOINTS,
    KEYS,
    LOCAL_TOKEN,
    SANDBOX_DEVELOPER_TOKEN,
    ProviderConfig,
    RetryPolicy,
    Secret,
)
from pulumi_msads.errors import ConfigurationError

from .support import config_of

CREDENTIALS = {"msads:developerToken": "dev-token", "msads:accessToken": "access-token"}


def configuration_error(values: dict[str, str], env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigurationError) as raised:
        config_of(values, env)
    return str(raised.value)


def secret_text(secret: Secret | None) -> str | None:
    return secret.reveal() if secret is not None else None


# For each setting: two valid values (one for the config key, one for the variable) and how to read it back.
SETTINGS: dict[str, tuple[str, str, Callable[[ProviderConfig], Any]]] = {
    "environment": ("sandbox", "local", lambda c: c.environment),
    "endpoint": ("https://one.example/svc", "https://two.example/svc", lambda c: c.endpoint),
    "developer_token": ("dev-from-config", "dev-from-env", lambda c: secret_text(c.developer_token)),
    "access_token": ("access-from-config", "access-from-env", lambda c: secret_text(c.access_token)),
    "refresh_token": ("refresh-from-config", "refresh-from-env", lambda c: secret_text(c.refresh_token)),
    "client_id": ("client-from-config", "client-from-env", lambda c: c.client_id),
    "client_secret": ("secret-from-config", "secret-from-env", lambda c: secret_text(c.client_secret)),
    "parent_customer_id": ("251000001", "251000002", lambda c: c.parent_customer_id),
    "max_retries": ("1", "2", lambda c: str(c.retry.max_retries)),
    "retry_base_delay": ("1.5", "2.5", lambda c: str(c.retry.base_delay)),
    "retry_max_delay": ("10.5", "20.5", lambda c: str(c.retry.max_delay)),
    "throttle_delay": ("3.5", "4.5", lambda c: str(c.retry.throttle_delay)),
    "retry_budget": ("50.5", "60.5", lambda c: str(c.retry.budget)),
    "timeout": ("5.5", "6.5", lambda c: str(c.timeout)),
    "recovery_wait": ("7.5", "8.5", lambda c: str(c.recovery_window)),
    "transport": ("soap", "rest", lambda c: c.transport),
    "max_calls_per_minute": ("90", "45", lambda c: str(c.max_calls_per_minute)),
    "read_cache_seconds": ("12.5", "0.0", lambda c: str(c.read_cache_seconds)),
}
BASE = {**CREDENTIALS, "msads:clientId": "client"}
"""Enough for any one setting above to be valid on its own."""


def test_the_settings_table_covers_every_key() -> None:
    assert set(SETTINGS) == set(KEYS)


@pytest.mark.parametrize("setting", sorted(KEYS))
def test_pulumi_config_wins_over_the_environment(setting: str) -> None:
    key, variable = KEYS[setting]
    from_config, from_env, read = SETTINGS[setting]
    assert read(config_of({**BASE, key: from_config}, {variable: from_env})) == from_config


@pytest.mark.parametrize("setting", sorted(KEYS))
def test_environment_variable_is_used_when_the_config_key_is_absent(setting: str) -> None:
    key, variable = KEYS[setting]
    _, from_env, read = SETTINGS[setting]
    values = {k: v for k, v in BASE.items() if k != key}
    assert read(config_of(values, {variable: from_env})) == from_env


@pytest.mark.parametrize("setting", sorted(KEYS))
def test_environment_variable_is_used_when_the_config_value_is_empty(setting: str) -> None:
    key, variable = KEYS[setting]
    _, from_env, read = SETTINGS[setting]
    assert read(config_of({**BASE, key: ""}, {variable: from_env})) == from_env


def test_everything_can_come_from_the_environment() -> None:
    env = {"MSADS_DEVELOPER_TOKEN": "dev", "MSADS_ACCESS_TOKEN": "access"}
    loaded = config_of({}, env)
    assert (secret_text(loaded.developer_token), secret_text(loaded.access_token)) == ("dev", "access")


# -- defaults ------------------------------------------------------------------------------------------------


def test_production_is_the_default_environment_with_the_https_endpoint() -> None:
    loaded = config_of(CREDENTIALS)
    assert (loaded.environment, loaded.endpoint) == ("production", ENDPOINTS["production"])
    assert loaded.endpoint.startswith("https://clientcenter.api.bingads.microsoft.com/")


def test_sandbox_defaults_to_its_endpoint_and_the_universal_developer_token() -> None:
    loaded = config_of({"msads:environment": "sandbox", "msads:accessToken": "access"})
    assert loaded.endpoint == ENDPOINTS["sandbox"]
    assert loaded.endpoint.startswith("https://clientcenter.api.sandbox.bingads.microsoft.com/")
    assert secret_text(loaded.developer_token) == SANDBOX_DEVELOPER_TOKEN == "BBD37VB98"


def test_sandbox_uses_a_configured_developer_token_over_the_universal_one() -> None:
    loaded = config_of({"msads:environment": "sandbox", **CREDENTIALS})
    assert secret_text(loaded.developer_token) == "dev-token"


def test_local_needs_no_credentials_and_sends_the_local_tokens() -> None:
    loaded = config_of({"msads:environment": "local"})
    assert loaded.endpoint == ENDPOINTS["local"]
    assert (secret_text(loaded.developer_token), secret_text(loaded.access_token)) == (LOCAL_TOKEN, LOCAL_TOKEN)


def test_local_with_a_refresh_token_gets_no_default_access_token() -> None:
    loaded = config_of({"msads:environment": "local", "msads:refreshToken": "refresh", "msads:clientId": "client"})
    assert loaded.access_token is None


def test_local_accepts_an_http_endpoint() -> None:
    loaded = config_of({"msads:environment": "local", "msads:endpoint": "http://127.0.0.1:1234/svc"})
    assert loaded.endpoint == "http://127.0.0.1:1234/svc"


def test_retry_and_timeout_defaults() -> None:
    loaded = config_of(CREDENTIALS)
    assert loaded.retry == RetryPolicy(max_retries=4, base_delay=0.5, max_delay=60.0, throttle_delay=60.0, budget=120.0)
    assert loaded.timeout == 60.0


def test_local_wsdl_comes_from_the_endpoint() -> None:
    loaded = config_of({"msads:environment": "local", "msads:endpoint": "http://127.0.0.1:1234"})
    assert loaded.wsdl_source == f"http://127.0.0.1:1234{wsdl.SERVICE_PATH}?wsdl"


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:1234", "http://127.0.0.1:1234/", f"http://127.0.0.1:1234{wsdl.SERVICE_PATH}"]
)
def test_the_endpoint_is_the_host_or_the_soap_url_and_each_transport_derives_its_own(endpoint: str) -> None:
    loaded = config_of({"msads:environment": "local", "msads:endpoint": endpoint})
    assert loaded.soap_url == f"http://127.0.0.1:1234{wsdl.SERVICE_PATH}"
    assert loaded.rest_base == "http://127.0.0.1:1234"


def test_rest_is_the_default_transport_and_speaks_to_microsofts_host() -> None:
    loaded = config_of(CREDENTIALS)
    assert loaded.transport == "rest"
    assert loaded.rest_base == "https://clientcenter.api.bingads.microsoft.com"


def test_an_unknown_transport_names_the_key_the_variable_and_the_allowed_values() -> None:
    with pytest.raises(ConfigurationError) as refused:
        config_of({**CREDENTIALS, "msads:transport": "SOAP1.1"})
    message = str(refused.value)
    assert "msads:transport (or MSADS_TRANSPORT) is 'SOAP1.1'" in message and "allowed: rest, soap" in message


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_microsoft_wsdl_comes_from_the_bingads_package(environment: str) -> None:
    loaded = config_of({**CREDENTIALS, "msads:environment": environment})
    assert loaded.wsdl_source == str(wsdl.wsdl_path(environment))


# -- errors --------------------------------------------------------------------------------------------------


def test_invalid_environment_names_the_key_the_variable_and_the_allowed_values() -> None:
    message = configuration_error({**CREDENTIALS, "msads:environment": "staging"})
    assert "msads:environment (or MSADS_ENVIRONMENT) is 'staging'; allowed: production, sandbox, local" in message


def test_production_without_a_developer_token_is_an_error() -> None:
    message = configuration_error({"msads:accessToken": "access"})
    assert "a developer token is required: set msads:developerToken (or MSADS_DEVELOPER_TOKEN)" in message


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_missing_credentials_name_every_way_to_give_them(environment: str) -> None:
    message = configuration_error({"msads:environment": environment, "msads:developerToken": "dev"})
    assert (
        "credentials are required: set msads:accessToken (or MSADS_ACCESS_TOKEN), or msads:refreshToken "
        "(or MSADS_REFRESH_TOKEN) with msads:clientId (or MSADS_CLIENT_ID)"
    ) in message


def test_refresh_token_without_a_client_id_is_an_error() -> None:
    message = configuration_error({"msads:developerToken": "dev", "msads:refreshToken": "refresh"})
    assert "msads:refreshToken (or MSADS_REFRESH_TOKEN) needs msads:clientId (or MSADS_CLIENT_ID) too" in message


def test_refresh_token_with_a_client_id_is_enough_credentials() -> None:
    loaded = config_of({"msads:developerToken": "dev", "msads:refreshToken": "refresh", "msads:clientId": "client"})
    assert (loaded.access_token, loaded.client_id) == (None, "client")


NUMBERS = [
    "max_retries",
    "retry_base_delay",
    "retry_max_delay",
    "throttle_delay",
    "retry_budget",
    "timeout",
    "max_calls_per_minute",
]


@pytest.mark.parametrize("setting", NUMBERS)
@pytest.mark.parametrize("bad", ["soon", "1s", "nan", "inf", "-inf"])
def test_a_number_setting_that_is_not_a_finite_number_is_an_error(setting: str, bad: str) -> None:
    key, variable = KEYS[setting]
    message = configuration_error({**CREDENTIALS, key: bad})
    assert f"{key} (or {variable}) must be a" in message
    assert repr(bad) in message


@pytest.mark.parametrize("setting", NUMBERS)
def test_a_negative_number_setting_is_an_error(setting: str) -> None:
    key, variable = KEYS[setting]
    assert f"{key} (or {variable}) must be at least" in configuration_error({**CREDENTIALS, key: "-1"})


def test_a_fractional_retry_count_is_an_error() -> None:
    message = configuration_error({**CREDENTIALS, "msads:maxRetries": "2.5"})
    assert "msads:maxRetries (or MSADS_MAX_RETRIES) must be a whole number, not '2.5'" in message


def test_a_whole_retry_count_written_with_a_decimal_point_is_accepted() -> None:
    assert config_of({**CREDENTIALS, "msads:maxRetries": "3.0"}).retry.max_retries == 3


def test_zero_retries_is_accepted() -> None:
    assert config_of({**CREDENTIALS, "msads:maxRetries": "0"}).retry.max_retries == 0


def test_a_timeout_under_one_second_is_an_error() -> None:
    message = configuration_error({**CREDENTIALS, "msads:timeout": "0.5"})
    assert "msads:timeout (or MSADS_TIMEOUT) must be at least 1.0" in message


@pytest.mark.parametrize("environment", ["production", "sandbox"])
def test_an_http_endpoint_outside_local_is_an_error(environment: str) -> None:
    values = {**CREDENTIALS, "msads:environment": environment, "msads:endpoint": "http://proxy.example/svc"}
    message = configuration_error(values)
    assert f"msads:endpoint (or MSADS_ENDPOINT) must use https for the {environment} environment" in message


def test_an_endpoint_that_is_not_a_url_is_an_error() -> None:
    message = configuration_error({**CREDENTIALS, "msads:endpoint": "clientcenter.example"})
    assert "msads:endpoint (or MSADS_ENDPOINT) must be an http(s) URL, not 'clientcenter.example'" in message


@pytest.mark.parametrize("bad", ["abc", "12a", "-1", "١٢", "²"])
def test_a_parent_customer_id_that_is_not_ascii_digits_is_an_error(bad: str) -> None:
    message = configuration_error({**CREDENTIALS, "msads:parentCustomerId": bad})
    assert f"msads:parentCustomerId (or MSADS_PARENT_CUSTOMER_ID) must be a customer id (digits), not {bad!r}" in (
        message
    )


def test_every_problem_is_reported_at_once() -> None:
    message = configuration_error({"msads:maxRetries": "x", "msads:timeout": "0", "msads:endpoint": "http://x"})
    for key in ("msads:maxRetries", "msads:timeout", "msads:endpoint", "msads:developerToken", "msads:accessToken"):
        assert key in message


def test_an_error_from_an_environment_variable_names_the_variable() -> None:
    message = configuration_error(CREDENTIALS, {"MSADS_MAX_RETRIES": "many"})
    assert "msads:maxRetries (or MSADS_MAX_RETRIES) must be a" in message


# -- secrets -------------------------------------------------------------------------------------------------

SECRET_VALUES = {
    "msads:developerToken": "dev-7f3a9c",
    "msads:accessToken": "access-5e1b2d",
    "msads:refreshToken": "refresh-8c4f6a",
    "msads:clientSecret": "clientsecret-2d9e7b",
}


@pytest.mark.parametrize("show", [repr, str, "{}".format, "%s".__mod__], ids=["repr", "str", "format", "percent"])
def test_a_secret_never_shows_its_value(show: Callable[[Any], str]) -> None:
    assert "hunter2" not in show(Secret("hunter2"))


def test_a_secret_reveals_its_value_on_request() -> None:
    assert Secret("hunter2").reveal() == "hunter2"


@pytest.mark.parametrize("show", [repr, str], ids=["repr", "str"])
def test_a_configuration_never_shows_a_credential(show: Callable[[Any], str]) -> None:
    text = show(config_of({**SECRET_VALUES, "msads:clientId": "client"}))
    assert [value for value in SECRET_VALUES.values() if value in text] == []


def test_configuration_errors_never_show_a_credential() -> None:
    message = configuration_error({**SECRET_VALUES, "msads:maxRetries": "x", "msads:environment": "staging"})
    assert [value for value in SECRET_VALUES.values() if value in message] == []


def test_a_secret_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="never serialized"):
        pickle.dumps(Secret("hunter2"))


def test_a_configuration_with_credentials_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="never serialized"):
        pickle.dumps(config_of(CREDENTIALS))


# -- backoff -------------------------------------------------------------------------------------------------

POLICY = RetryPolicy(max_retries=50, base_delay=0.5, max_delay=30.0, throttle_delay=15.0, budget=1000.0)
SEEDS = range(20)
RETRIES = range(1, 31)


def delays(policy: RetryPolicy, *, throttled: bool) -> list[tuple[int, float]]:
    """(retry, delay) for many retries and seeds."""
    return [
        (retry, policy.delay(retry, throttled=throttled, rng=random.Random(seed)))
        for seed in SEEDS
        for retry in RETRIES
    ]


@pytest.mark.parametrize("throttled", [False, True], ids=["transient", "throttled"])
def test_a_delay_is_never_above_max_delay(throttled: bool) -> None:
    assert max(delay for _, delay in delays(POLICY, throttled=throttled)) <= POLICY.max_delay


def test_a_throttled_delay_is_never_below_the_throttle_delay() -> None:
    assert min(delay for _, delay in delays(POLICY, throttled=True)) >= POLICY.throttle_delay


def test_a_transient_delay_stays_within_the_exponential_ceiling() -> None:
    outside = [
        (retry, delay)
        for retry, delay in delays(POLICY, throttled=False)
        if not 0 <= delay <= min(POLICY.max_delay, POLICY.base_delay * 2 ** (retry - 1))
    ]
    assert outside == []


def test_a_throttled_delay_stays_between_the_throttle_delay_and_its_exponential_ceiling() -> None:
    outside = [
        (retry, delay)
        for retry, delay in delays(POLICY, throttled=True)
        if not POLICY.throttle_delay
        <= delay
        <= max(POLICY.throttle_delay, min(POLICY.max_delay, POLICY.throttle_delay * 2 ** (retry - 1)))
    ]
    assert outside == []


def test_by_default_a_throttled_call_waits_the_services_full_minute() -> None:
    """guides/services-protocol.md: "resubmit the request under the limit after waiting 60 seconds"."""
    assert {delay for _, delay in delays(RetryPolicy(), throttled=True)} == {60.0}


def test_the_first_throttled_retry_waits_exactly_the_throttle_delay() -> None:
    assert {POLICY.delay(1, throttled=True, rng=random.Random(seed)) for seed in SEEDS} == {POLICY.throttle_delay}


def test_transient_delays_are_jittered_over_the_whole_range() -> None:
    spread = [POLICY.delay(5, throttled=False, rng=random.Random(seed)) for seed in range(200)]
    ceiling = POLICY.base_delay * 2**4
    assert min(spread) < 0.25 * ceiling
    assert max(spread) > 0.75 * ceiling


def test_the_same_seed_gives_the_same_delay() -> None:
    assert POLICY.delay(3, throttled=False, rng=random.Random(7)) == POLICY.delay(
        3, throttled=False, rng=random.Random(7)
    )


def test_max_delay_caps_a_throttle_delay_configured_above_it() -> None:
    policy = RetryPolicy(max_delay=5.0, throttle_delay=15.0)
    assert {delay for _, delay in delays(policy, throttled=True)} == {5.0}


def test_zero_delays_never_wait() -> None:
    policy = RetryPolicy(base_delay=0.0, throttle_delay=0.0)
    assert {delay for throttled in (False, True) for _, delay in delays(policy, throttled=throttled)} == {0.0}


@pytest.mark.parametrize("throttled", [False, True], ids=["transient", "throttled"])
def test_a_very_late_retry_still_gets_a_capped_delay(throttled: bool) -> None:
    assert POLICY.delay(5000, throttled=throttled, rng=random.Random(0)) <= POLICY.max_delay
