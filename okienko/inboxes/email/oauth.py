"""OAuth2 access tokens for mailboxes: the refresh_token grant (RFC 6749, section 6).

Providers (Google, Microsoft 365) give access tokens that expire after about an hour; the
refresh token an admin stores with the mailbox gets a new one from the provider's token
endpoint. One token serves both IMAP and SMTP (XOAUTH2), and both log in through
``log_in_with_token``. The grant is one form POST, sent with ``requests`` (already installed with
django-anymail); an OAuth library would add a dependency for these few lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from okienko.inboxes.models import EmailAccount

TIMEOUT_SECONDS = 30
# Refresh this long before the stored expiry, so a token does not run out mid-session.
EXPIRY_MARGIN = datetime.timedelta(minutes=5)
# Error descriptions from a provider are cut to this many characters.
MAX_REASON = 300
# Hosts a token endpoint may be reached on without TLS (a local test provider).
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class TokenRefreshError(Exception):
    """The provider did not give a new access token; the message is meant for an admin."""


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_at: datetime.datetime | None  # None when the provider did not say
    refresh_token: str  # a new one when the provider rotates them, else the one sent


def request_access_token(
    *, token_url: str, client_id: str, client_secret: str, refresh_token: str
) -> TokenGrant:
    """Ask ``token_url`` for a new access token with ``refresh_token``.

    Raises ``TokenRefreshError`` with the provider's reason (``error`` and
    ``error_description``, never the secrets) when it refuses or cannot be reached.
    """
    try:
        validate_token_url(token_url)
    except ValidationError as error:
        raise TokenRefreshError(
            f"the token endpoint {token_url} is not an https:// address"
        ) from error
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    if client_secret:
        form["client_secret"] = client_secret
    try:
        response = requests.post(
            token_url,
            data=form,
            headers={"Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise TokenRefreshError(
            f"the token endpoint {token_url} cannot be reached: {type(error).__name__}"
        ) from error
    answer = _json(response)
    if response.status_code != 200 or not isinstance(answer.get("access_token"), str):
        reason = " ".join(
            str(answer[key])[:MAX_REASON]
            for key in ("error", "error_description")
            if answer.get(key)
        )
        raise TokenRefreshError(
            f"the token endpoint {token_url} refused to refresh the access token "
            f"(HTTP {response.status_code}{': ' + reason if reason else ''})"
        )
    lifetime = answer.get("expires_in")
    expires_at = None
    # A number of seconds; some providers send it as a string.
    if isinstance(lifetime, int) or (isinstance(lifetime, str) and lifetime.isdigit()):
        expires_at = timezone.now() + datetime.timedelta(seconds=int(lifetime))
    new_refresh_token = answer.get("refresh_token")
    return TokenGrant(
        access_token=answer["access_token"],
        expires_at=expires_at,
        refresh_token=new_refresh_token if isinstance(new_refresh_token, str) else refresh_token,
    )


def validate_token_url(url: str) -> None:
    """A token endpoint carries the client secret and the refresh token: HTTPS only."""
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValidationError(_("The token endpoint must be an https:// address."))


def needs_refresh(access_token: str, expires_at: datetime.datetime | None) -> bool:
    """Whether a stored access token should be renewed before it is used."""
    if not access_token:
        return True
    return expires_at is not None and expires_at - EXPIRY_MARGIN <= timezone.now()


def log_in_with_token(
    account: EmailAccount,
    log_in: Callable[[str], None],
    *,
    refused: type[Exception] | tuple[type[Exception], ...],
) -> None:
    """Log in with the mailbox's OAuth2 access token: ``log_in(token)`` raises ``refused`` when
    the server turns it down.

    A token that has expired (or is about to) is refreshed first; one the server refuses is
    refreshed once and tried again, since providers revoke tokens before their stated expiry.
    Raises ``TokenRefreshError`` when the provider gives no new token.
    """
    # Imported here: the inbox actions use the mail modules that use this one.
    from okienko.inboxes.actions import do_refresh_oauth_token

    refreshed = False
    if account.refreshes_oauth_token and needs_refresh(
        account.imap_oauth_token, account.imap_oauth_expires_at
    ):
        do_refresh_oauth_token(account=account)
        refreshed = True
    try:
        log_in(account.imap_oauth_token)
    except refused:
        if refreshed or not account.refreshes_oauth_token:
            raise
        do_refresh_oauth_token(account=account)
        log_in(account.imap_oauth_token)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
