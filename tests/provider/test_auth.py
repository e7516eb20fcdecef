"""Access tokens: a fixed one, or OAuth refresh through the bingads SDK (its grant replaced by a fake here).

The fake stands in for Microsoft's identity platform only: ``RefreshTokenSource`` itself runs as in
the provider. The clock is a fake too, so expiry is tested without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_msads import auth
from pulumi_msads.auth import EXPIRY_MARGIN_SECONDS, RefreshTokenSource, StaticToken, token_source
from pulumi_msads.config import Secret
from pulumi_msads.errors import ConfigurationError

from .support import config_of

REFRESH_TOKEN = "refresh-token-0b7c1e"
CLIENT_SECRET = "client-secret-4d8a2f"


@dataclass
class Tokens:
    """What ``request_oauth_tokens_by_refresh_token`` returns (bingads' OAuthTokens)."""

    access_token: str
    access_token_expires_in_seconds: int | None
    refresh_token: str | None


class OAuthTokenRequestError(Exception):
    """Shaped like bingads' OAuthTokenRequestException: an error code and a description."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"error: {error}, description: {description}")
        self.error = error
        self.description = description


@dataclass
class FakeIdentityPlatform:
    """Hands out access tokens ``access-1``, ``access-2``, ... and new refresh tokens when asked to."""

    lifetime: int | None = 3600
    rotate_refresh_tokens: bool = False
    failure: Exception | None = None
    refresh_tokens_used: list[str] = field(default_factory=list)

    @property
    def exchanges(self) -> int:
        return len(self.refresh_tokens_used)

    def request_oauth_tokens_by_refresh_token(self, refresh_token: str) -> Tokens:
        self.refresh_tokens_used.append(refresh_token)
        if self.failure is not None:
            raise self.failure
        number = self.exchanges
        new_refresh = f"rotated-refresh-{number}" if self.rotate_refresh_tokens else None
        return Tokens(f"access-{number}", self.lifetime, new_refresh)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(auth, "time", fake)
    return fake


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> FakeIdentityPlatform:
    fake = FakeIdentityPlatform()
    monkeypatch.setattr(RefreshTokenSource, "_grant", lambda self: fake)
    return fake


def source(client_secret: str | None = CLIENT_SECRET) -> RefreshTokenSource:
    secret = Secret(client_secret) if client_secret is not None else None
    return RefreshTokenSource("client-id", Secret(REFRESH_TOKEN), secret, "production")


# -- caching -------------------------------------------------------------------------------------------------


def test_the_first_token_comes_from_an_exchange_of_the_refresh_token(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    assert source().access_token() == "access-1"
    assert platform.refresh_tokens_used == [REFRESH_TOKEN]


def test_no_exchange_happens_before_a_token_is_needed(platform: FakeIdentityPlatform, clock: FakeClock) -> None:
    source()
    assert platform.exchanges == 0


def test_the_token_is_reused_until_the_expiry_margin(platform: FakeIdentityPlatform, clock: FakeClock) -> None:
    tokens = source()
    tokens.access_token()
    clock.now += 3600 - EXPIRY_MARGIN_SECONDS - 1
    assert tokens.access_token() == "access-1"
    assert platform.exchanges == 1


def test_a_new_token_is_fetched_once_inside_the_expiry_margin(platform: FakeIdentityPlatform, clock: FakeClock) -> None:
    tokens = source()
    tokens.access_token()
    clock.now += 3600 - EXPIRY_MARGIN_SECONDS
    assert [tokens.access_token(), tokens.access_token()] == ["access-2", "access-2"]
    assert platform.exchanges == 2


def test_a_token_without_a_stated_lifetime_is_kept_for_an_hour(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    platform.lifetime = None
    tokens = source()
    tokens.access_token()
    clock.now += 3600 - EXPIRY_MARGIN_SECONDS - 1
    assert tokens.access_token() == "access-1"
    clock.now += 1
    assert tokens.access_token() == "access-2"


def test_a_token_living_less_than_the_margin_is_fetched_for_every_call(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    platform.lifetime = int(EXPIRY_MARGIN_SECONDS) - 1
    tokens = source()
    assert [tokens.access_token(), tokens.access_token()] == ["access-1", "access-2"]


# -- refresh -------------------------------------------------------------------------------------------------


def test_refresh_forces_a_new_exchange_even_with_a_fresh_token(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    tokens = source()
    tokens.access_token()
    assert tokens.refresh() is True
    assert tokens.access_token() == "access-2"
    assert platform.exchanges == 2


def test_the_newest_refresh_token_is_used_for_the_next_exchange(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    platform.rotate_refresh_tokens = True
    tokens = source()
    tokens.access_token()
    tokens.refresh()
    tokens.refresh()
    assert platform.refresh_tokens_used == [REFRESH_TOKEN, "rotated-refresh-1", "rotated-refresh-2"]


def test_the_refresh_token_is_kept_when_no_new_one_is_given(platform: FakeIdentityPlatform, clock: FakeClock) -> None:
    tokens = source()
    tokens.access_token()
    tokens.refresh()
    assert platform.refresh_tokens_used == [REFRESH_TOKEN, REFRESH_TOKEN]


def test_a_static_token_is_sent_as_given_and_cannot_be_refreshed() -> None:
    token = StaticToken(Secret("fixed"))
    assert (token.access_token(), token.refresh(), token.access_token()) == ("fixed", False, "fixed")


# -- failures ------------------------------------------------------------------------------------------------


def failed_exchange(platform: FakeIdentityPlatform, failure: Exception) -> ConfigurationError:
    platform.failure = failure
    with pytest.raises(ConfigurationError) as raised:
        source().access_token()
    return raised.value


def test_a_failed_exchange_is_a_configuration_error_naming_the_setting_and_the_reason(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    error = failed_exchange(platform, OAuthTokenRequestError("invalid_grant", "AADSTS70000: The grant is expired."))
    assert str(error) == (
        "could not get an access token with msads:refreshToken: invalid_grant AADSTS70000: The grant is expired."
    )


@pytest.mark.parametrize(
    "failure",
    [
        OAuthTokenRequestError("invalid_grant", "bad grant"),
        RuntimeError(f"POST https://login.example/token?refresh_token={REFRESH_TOKEN}&secret={CLIENT_SECRET}"),
    ],
    ids=["oauth-error", "other-error"],
)
def test_a_failed_exchange_never_shows_the_refresh_token_or_client_secret(
    platform: FakeIdentityPlatform, clock: FakeClock, failure: Exception
) -> None:
    error = failed_exchange(platform, failure)
    shown = f"{error} {error!r} {error.__cause__!r}"
    assert REFRESH_TOKEN not in shown
    assert CLIENT_SECRET not in shown


def test_a_failed_exchange_without_an_error_code_names_the_exception_type(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    error = failed_exchange(platform, ConnectionError(REFRESH_TOKEN))
    assert str(error) == "could not get an access token with msads:refreshToken: ConnectionError"


def test_a_failed_exchange_does_not_chain_the_original_exception(
    platform: FakeIdentityPlatform, clock: FakeClock
) -> None:
    error = failed_exchange(platform, RuntimeError(REFRESH_TOKEN))
    assert error.__cause__ is None
    assert error.__suppress_context__ is True


# -- which source --------------------------------------------------------------------------------------------


def test_a_refresh_token_in_the_configuration_gives_a_refreshing_source() -> None:
    config = config_of({"msads:developerToken": "dev", "msads:refreshToken": "r", "msads:clientId": "client"})
    assert isinstance(token_source(config), RefreshTokenSource)


def test_an_access_token_in_the_configuration_gives_a_static_source() -> None:
    tokens = token_source(config_of({"msads:developerToken": "dev", "msads:accessToken": "fixed"}))
    assert isinstance(tokens, StaticToken)
    assert tokens.access_token() == "fixed"


@pytest.mark.parametrize(
    ("client_secret", "environment", "grant_class", "grant_environment"),
    [
        (CLIENT_SECRET, "production", "OAuthWebAuthCodeGrant", "production"),
        (None, "production", "OAuthDesktopMobileAuthCodeGrant", "production"),
        (CLIENT_SECRET, "sandbox", "OAuthWebAuthCodeGrant", "sandbox"),
        (None, "local", "OAuthDesktopMobileAuthCodeGrant", "production"),
    ],
)
def test_the_sdk_grant_matches_the_client_type_and_environment(
    client_secret: str | None, environment: str, grant_class: str, grant_environment: str
) -> None:
    secret = Secret(client_secret) if client_secret else None
    grant: Any = RefreshTokenSource("client-id", Secret(REFRESH_TOKEN), secret, environment)._grant()
    assert (type(grant).__name__, grant.client_id, grant.environment) == (grant_class, "client-id", grant_environment)
