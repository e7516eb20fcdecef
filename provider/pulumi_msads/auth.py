"""Access tokens for the AuthenticationToken header: a fixed one, or OAuth refresh through ``bingads``.

A refresh-token source exchanges the refresh token with Microsoft's identity platform using the
official SDK's OAuth classes (so endpoints and scopes follow Microsoft's own client), keeps the
access token until shortly before it expires, and keeps the newest refresh token it is given.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

from .config import ProviderConfig, Secret
from .errors import ConfigurationError

EXPIRY_MARGIN_SECONDS = 120.0
"""Refresh this long before the token's stated expiry, so no call starts with a dying token."""


class TokenSource(Protocol):
    def access_token(self) -> str:
        """A token to send now."""
        ...

    def refresh(self) -> bool:
        """Get a new token after the service said the current one expired; False if impossible."""
        ...


class StaticToken:
    """A token given in configuration: it cannot be renewed."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token.reveal()

    def refresh(self) -> bool:
        return False


class RefreshTokenSource:
    """OAuth 2.0 refresh-token grant through ``bingads``' OAuthWebAuthCodeGrant / DesktopMobile classes."""

    def __init__(self, client_id: str, refresh_token: Secret, client_secret: Secret | None, environment: str) -> None:
        self._client_id = client_id
        self._refresh_token = refresh_token
        self._client_secret = client_secret
        self._environment = "sandbox" if environment == "sandbox" else "production"
        self._lock = threading.Lock()
        self._token: Secret | None = None
        self._expires_at = 0.0

    def _grant(self) -> Any:
        from bingads.authorization import OAuthDesktopMobileAuthCodeGrant, OAuthWebAuthCodeGrant

        if self._client_secret is not None:
            return OAuthWebAuthCodeGrant(
                self._client_id, self._client_secret.reveal(), "https://localhost", env=self._environment
            )
        return OAuthDesktopMobileAuthCodeGrant(self._client_id, env=self._environment)

    def _exchange(self) -> None:
        try:
            tokens = self._grant().request_oauth_tokens_by_refresh_token(self._refresh_token.reveal())
        except Exception as error:  # the SDK raises OAuthTokenRequestException or requests' errors
            # The SDK's exception text is the identity platform's error code and description: no token.
            reason = getattr(error, "error", None) or type(error).__name__
            description = getattr(error, "description", None) or ""
            raise ConfigurationError(
                f"could not get an access token with msads:refreshToken: {reason} {description}".strip()
            ) from None
        self._token = Secret(tokens.access_token)
        lifetime = float(tokens.access_token_expires_in_seconds or 3600)
        self._expires_at = time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN_SECONDS)
        if tokens.refresh_token:
            self._refresh_token = Secret(tokens.refresh_token)

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._exchange()
            assert self._token is not None
            return self._token.reveal()

    def refresh(self) -> bool:
        with self._lock:
            self._exchange()
            return True


def token_source(config: ProviderConfig) -> TokenSource:
    if config.refresh_token is not None:
        if not config.client_id:
            raise ConfigurationError("msads:refreshToken needs msads:clientId")
        return RefreshTokenSource(config.client_id, config.refresh_token, config.client_secret, config.environment)
    if config.access_token is None:
        raise ConfigurationError("no msads:accessToken or msads:refreshToken configured")
    return StaticToken(config.access_token)
