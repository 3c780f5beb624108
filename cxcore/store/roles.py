"""Who may publish: pure decisions from secrets, environment and server address.

No Streamlit here, so every branch is a table-driven test, and the page and
the publish step can run the very same check (the page to show the controls,
the server again right before the pointer moves). Viewing needs no role.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ANALYSTS_ENV = "CX_ANALYSTS"
PASSPHRASE_ENV = "CX_ANALYST_PASSPHRASE"
PASSPHRASE_SECRET = "analyst_passphrase"
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
AUTH_KEYS = ("redirect_uri", "cookie_secret")
LOCAL_NAMES = ("localhost",)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")

HOW_TO_CONFIGURE = (
    "To open uploads, either configure single sign-on: an [auth] section"
    " in .streamlit/secrets.toml (redirect_uri, cookie_secret and a provider's client_id,"
    " client_secret, server_metadata_url) plus the analysts' e-mails in [analysts] emails"
    f" or {ANALYSTS_ENV}; or set an analyst passphrase: {PASSPHRASE_SECRET} in the secrets"
    f" or the {PASSPHRASE_ENV} environment variable; or run the app on localhost only"
    ' (server.address = "localhost").'
)


class AccessMode(StrEnum):
    OIDC = "oidc"
    PASSPHRASE = "passphrase"
    LOCALHOST = "localhost"
    CLOSED = "closed"


@dataclass(frozen=True)
class Access:
    """How analysts prove their role here, and what the page should say about it."""

    mode: AccessMode
    message: str
    analysts: frozenset[str] = frozenset()
    provider: str | None = None  # the st.login provider name; None: the default one
    passphrase: str | None = field(default=None, repr=False)
    server_address: str | None = None


def decide_access(
    secrets: Mapping[str, Any] | None,
    env: Mapping[str, str] | None,
    server_address: str | None,
    allowed_hosts: Sequence[str] = LOCAL_HOSTS,
) -> Access:
    """OIDC when configured, else a passphrase, else localhost-only, else closed.

    Localhost mode trusts who can reach the socket, so it also needs the server
    to refuse other Host names (`server.allowedHosts`): otherwise a web page
    could point its own name at 127.0.0.1 (DNS rebinding) and act for the
    person who browses it.
    """
    secrets, env = secrets or {}, env or {}
    auth = secrets.get("auth")
    if isinstance(auth, Mapping):
        return _oidc(auth, secrets, env, server_address)
    passphrase = str(secrets.get(PASSPHRASE_SECRET) or env.get(PASSPHRASE_ENV) or "")
    if passphrase:
        return Access(
            AccessMode.PASSPHRASE,
            "Enter the analyst passphrase to upload or roll back.",
            passphrase=passphrase,
            server_address=server_address,
        )
    if is_local_address(server_address) and not hosts_are_local(allowed_hosts):
        return Access(
            AccessMode.CLOSED,
            "The app listens on this computer only but accepts any host name, so a web page"
            " could reach it through DNS rebinding. Set server.allowedHosts to"
            ' ["localhost", "127.0.0.1"] to open uploads here.',
            server_address=server_address,
        )
    if is_local_address(server_address):
        return Access(
            AccessMode.LOCALHOST,
            "Uploads are open because the app only listens on this computer."
            " " + HOW_TO_CONFIGURE.replace("To open uploads", "To share it"),
            server_address=server_address,
        )
    return Access(AccessMode.CLOSED, HOW_TO_CONFIGURE, server_address=server_address)


def _oidc(
    auth: Mapping[str, Any],
    secrets: Mapping[str, Any],
    env: Mapping[str, str],
    server_address: str | None,
) -> Access:
    provider, missing = _provider(auth)
    if missing:
        return Access(
            AccessMode.CLOSED,
            f"Single sign-on is half configured: the [auth] section lacks {', '.join(missing)}."
            " Uploads stay closed until it is complete.",
            server_address=server_address,
        )
    analysts = frozenset(_emails(secrets, env))
    message = "Sign in with your company account to upload or roll back."
    if not analysts:
        message += (
            f" No analyst e-mails are configured yet ([analysts] emails or {ANALYSTS_ENV}),"
            " so nobody can publish."
        )
    return Access(AccessMode.OIDC, message, analysts, provider, server_address=server_address)


def _provider(auth: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """The provider st.login should use, and the keys still missing for a working sign-in."""
    missing = [k for k in AUTH_KEYS if not auth.get(k)]
    if all(auth.get(k) for k in PROVIDER_KEYS):
        return None, missing
    named = [
        (name, section)
        for name, section in auth.items()
        if isinstance(section, Mapping) and section.get("client_id")
    ]
    if not named:
        return None, [*missing, "a provider (client_id, client_secret, server_metadata_url)"]
    name, section = named[0]
    missing += [f"{name}.{k}" for k in PROVIDER_KEYS if not section.get(k)]
    return str(name), missing


def _emails(secrets: Mapping[str, Any], env: Mapping[str, str]) -> Iterable[str]:
    analysts = secrets.get("analysts")
    listed: Any = analysts.get("emails", []) if isinstance(analysts, Mapping) else []
    if isinstance(listed, str):
        listed = [listed]
    words = [str(e) for e in listed] + [env.get(ANALYSTS_ENV, "")]
    return {e.strip().lower() for w in words for e in re.split(r"[,;\s]+", w) if e.strip()}


def hosts_are_local(hosts: Sequence[str]) -> bool:
    """True when the server answers only loopback host names (and there is a list at all)."""
    names = [str(h).strip().lower() for h in hosts if str(h).strip()]
    return bool(names) and all(is_local_address(n) for n in names)


def is_local_address(address: str | None) -> bool:
    """True only for a loopback address; empty means every interface, so not local."""
    text = (address or "").strip().strip("[]").lower()
    if not text:
        return False
    if text in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def can_publish(
    access: Access,
    user_email: str | None = None,
    passphrase: str | None = None,
    server_address: str | None = None,
) -> bool:
    """The analyst check, run by the page and again on the server right before publishing.

    `user_email` is the signed-in user's e-mail (OIDC mode; pass None when
    nobody is signed in); `server_address`, when given, must still be local
    for localhost mode, so a changed bind address cannot keep uploads open.
    """
    if access.mode is AccessMode.OIDC:
        email = (user_email or "").strip().lower()
        return bool(email) and email in access.analysts
    if access.mode is AccessMode.PASSPHRASE:
        if not passphrase or not access.passphrase:
            return False
        return hmac.compare_digest(passphrase.encode(), access.passphrase.encode())
    if access.mode is AccessMode.LOCALHOST:
        address = access.server_address if server_address is None else server_address
        return is_local_address(address)
    return False


@dataclass
class Throttle:
    """Passphrase guessing slowed down: after a few misses from one client, each further
    attempt must wait, twice as long each time (capped); and across all clients at most
    `per_minute` misses a minute, so many clients cannot share the work.

    Pure bookkeeping: the caller supplies the client (e.g. its address) and the clock.
    """

    free_misses: int = 3
    first_wait_s: float = 2.0
    longest_wait_s: float = 300.0
    per_minute: int = 20
    _misses: dict[str, tuple[int, float]] = field(default_factory=dict)
    _recent: list[float] = field(default_factory=list)

    def wait(self, client: str, now: float) -> float:
        """Seconds this client must still wait before its next attempt (0: go ahead)."""
        self._recent = [t for t in self._recent if now - t < 60.0]
        if len(self._recent) >= self.per_minute:
            return max(60.0 - (now - self._recent[0]), 0.0)
        count, last = self._misses.get(client, (0, 0.0))
        if count < self.free_misses:
            return 0.0
        delay = min(self.first_wait_s * 2 ** (count - self.free_misses), self.longest_wait_s)
        return max(delay - (now - last), 0.0)

    def missed(self, client: str, now: float) -> int:
        """Record a wrong passphrase; returns this client's misses in a row."""
        count = self._misses.get(client, (0, 0.0))[0] + 1
        self._misses[client] = (count, now)
        self._recent.append(now)
        return count

    def passed(self, client: str) -> None:
        self._misses.pop(client, None)
