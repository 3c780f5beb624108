"""Access decisions, table-driven: secrets x environment x server address -> mode, verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from cxcore.store.roles import AccessMode, can_publish, decide_access, is_local_address

AUTH = {
    "redirect_uri": "https://cx.example.com/oauth2callback",
    "cookie_secret": "s3cret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}
NAMED_AUTH = {
    "redirect_uri": AUTH["redirect_uri"],
    "cookie_secret": "s3cret",
    "okta": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
}
ANALYSTS = {"analysts": {"emails": ["Ana@Example.com", "bo@example.com"]}}

# name: (secrets, env, server address, expected mode)
MODES: dict[str, tuple[dict[str, Any], dict[str, str], str | None, AccessMode]] = {
    "oidc default provider": ({"auth": AUTH, **ANALYSTS}, {}, None, AccessMode.OIDC),
    "oidc named provider": ({"auth": NAMED_AUTH}, {"CX_ANALYSTS": "a@x.io"}, None, AccessMode.OIDC),
    "oidc wins over passphrase": (
        {"auth": AUTH, "analyst_passphrase": "pw"},
        {},
        "localhost",
        AccessMode.OIDC,
    ),
    "half-configured oidc stays closed": (
        {"auth": {"client_id": "id"}},
        {},
        "localhost",
        AccessMode.CLOSED,
    ),
    "passphrase from secrets": ({"analyst_passphrase": "pw"}, {}, None, AccessMode.PASSPHRASE),
    "passphrase from env": ({}, {"CX_ANALYST_PASSPHRASE": "pw"}, "0.0.0.0", AccessMode.PASSPHRASE),
    "empty passphrase is unset": (
        {"analyst_passphrase": ""},
        {},
        "0.0.0.0",
        AccessMode.CLOSED,
    ),
    "localhost": ({}, {}, "localhost", AccessMode.LOCALHOST),
    "loopback v4": ({}, {}, "127.0.0.1", AccessMode.LOCALHOST),
    "loopback v6": ({}, {}, "::1", AccessMode.LOCALHOST),
    "all interfaces": ({}, {}, "0.0.0.0", AccessMode.CLOSED),
    "address unset means all interfaces": ({}, {}, None, AccessMode.CLOSED),
    "public address": ({}, {}, "10.1.2.3", AccessMode.CLOSED),
}
HOSTS = {
    "loopback names only": (["localhost", "127.0.0.1", "[::1]"], AccessMode.LOCALHOST),
    "no allow-list: any Host accepted": ([], AccessMode.CLOSED),
    "a public name allowed too": (["localhost", "cockpit.example.com"], AccessMode.CLOSED),
    "a wildcard": (["*"], AccessMode.CLOSED),
}


@pytest.mark.parametrize("name", HOSTS, ids=str)
def test_localhost_mode_needs_the_server_to_refuse_other_host_names(name: str) -> None:
    """A DNS-rebinding page reaches a loopback socket under its own host name."""
    hosts, mode = HOSTS[name]
    access = decide_access({}, {}, "localhost", hosts)
    assert access.mode is mode
    if mode is AccessMode.CLOSED:
        assert "server.allowedHosts" in access.message


@pytest.mark.parametrize("name", MODES, ids=str)
def test_access_mode(name: str) -> None:
    secrets, env, address, mode = MODES[name]
    assert decide_access(secrets, env, address).mode is mode


def test_closed_says_how_to_configure_access() -> None:
    message = decide_access({}, {}, "0.0.0.0").message
    for words in ("[auth]", "analyst_passphrase", "CX_ANALYST_PASSPHRASE", "localhost"):
        assert words in message


def test_named_provider_is_reported_for_st_login() -> None:
    assert decide_access({"auth": NAMED_AUTH}, {}, None).provider == "okta"
    assert decide_access({"auth": AUTH}, {}, None).provider is None


def test_oidc_without_analysts_says_nobody_can_publish() -> None:
    access = decide_access({"auth": AUTH}, {}, None)
    assert "nobody can publish" in access.message
    assert not can_publish(access, user_email="ana@example.com")


# name: (secrets, env, address, email, passphrase, check address, allowed)
VERDICTS: dict[
    str, tuple[dict[str, Any], dict[str, str], str | None, str | None, str | None, str | None, bool]
] = {
    "listed analyst": ({"auth": AUTH, **ANALYSTS}, {}, None, "ana@example.com", None, None, True),
    "e-mail case and spaces": (
        {"auth": AUTH, **ANALYSTS},
        {},
        None,
        " ANA@example.COM ",
        None,
        None,
        True,
    ),
    "analyst from env list": (
        {"auth": AUTH},
        {"CX_ANALYSTS": "x@y.io, ana@example.com"},
        None,
        "ana@example.com",
        None,
        None,
        True,
    ),
    "viewer": ({"auth": AUTH, **ANALYSTS}, {}, None, "eve@example.com", None, None, False),
    "not signed in": ({"auth": AUTH, **ANALYSTS}, {}, None, None, None, None, False),
    "passphrase ignored under oidc": (
        {"auth": AUTH, **ANALYSTS, "analyst_passphrase": "pw"},
        {},
        None,
        None,
        "pw",
        None,
        False,
    ),
    "right passphrase": ({"analyst_passphrase": "pw"}, {}, None, None, "pw", None, True),
    "wrong passphrase": ({"analyst_passphrase": "pw"}, {}, None, None, "pW", None, False),
    "no passphrase": ({"analyst_passphrase": "pw"}, {}, None, None, None, None, False),
    "e-mail is no passphrase": (
        {"analyst_passphrase": "pw"},
        {},
        None,
        "ana@example.com",
        None,
        None,
        False,
    ),
    "localhost": ({}, {}, "localhost", None, None, None, True),
    "localhost re-checked, now public": ({}, {}, "localhost", None, None, "0.0.0.0", False),
    "closed": ({}, {}, "0.0.0.0", "ana@example.com", "pw", None, False),
}


@pytest.mark.parametrize("name", VERDICTS, ids=str)
def test_can_publish(name: str) -> None:
    secrets, env, address, email, passphrase, now_address, allowed = VERDICTS[name]
    access = decide_access(secrets, env, address)
    verdict = can_publish(
        access, user_email=email, passphrase=passphrase, server_address=now_address
    )
    assert verdict is allowed


def test_the_passphrase_never_shows_in_a_repr() -> None:
    assert "hunter2" not in repr(decide_access({"analyst_passphrase": "hunter2"}, {}, None))


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_is_local_address(address: str, local: bool) -> None:
    assert is_local_address(address) is local
