"""The analyst gate: who may upload and restore versions, drawn on the page and re-run on publish.

The decision itself is `cxcore.store.roles` (pure, table-tested); this module only
gathers its inputs from the running app (secrets, environment, bind address,
the signed-in user, the passphrase typed this session) and draws the sign-in
controls. `server_check` decides again from scratch, so a publish is refused
when the configuration or the session changed after the page was drawn.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cxcore.app.formatting import escape_markdown
from cxcore.store.roles import (
    HOW_TO_CONFIGURE,
    PASSPHRASE_ENV,
    PASSPHRASE_SECRET,
    Access,
    AccessMode,
    Throttle,
    can_publish,
)
from cxcore.store.roles import decide_access as _decide

from . import server

PASSPHRASE = "_cx_analyst_passphrase"  # the accepted passphrase, kept for the server check
PASS_INPUT = "_cx_pass_input"
PASS_WRONG = "_cx_pass_wrong"
LOG = logging.getLogger("cxcore.access")
ACCESS_DOCS = "*Access* in `docs/store.md`"  # the app serves no files: the doc is named
LOCAL_NOTE = (
    "Uploads are open because the app only listens on this computer;"
    f" to share it with analysts elsewhere, see {ACCESS_DOCS}."
)
CLOSED_NOTE = f"No analyst access is set up; see {ACCESS_DOCS}."
THROTTLE = Throttle()  # one per server process: guesses from every session count
SECRETS_EXAMPLE = f"""# .streamlit/secrets.toml: one of these
{PASSPHRASE_SECRET} = "a long shared phrase"   # or the {PASSPHRASE_ENV} environment variable

[auth]                                          # single sign-on (OIDC)
redirect_uri = "https://cockpit.example.com/oauth2callback"
cookie_secret = "a long random string"
client_id = "..."
client_secret = "..."
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"

[analysts]
emails = ["ana@example.com", "raj@example.com"]"""


def secrets() -> dict[str, Any]:
    """The app's secrets as a plain dict; none (or an unreadable file) is simply none."""
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml, or one that does not parse: no secrets configured
        return {}


def server_address() -> str | None:
    """The address the server binds to; the Host header is not used, a client can forge it."""
    value = str(st.get_option("server.address") or "").strip()
    return value or None


def allowed_hosts() -> list[str]:
    """The host names the server answers (`server.allowedHosts`; empty: any)."""
    return [str(h) for h in st.get_option("server.allowedHosts") or []]


def current_access() -> Access:
    return _decide(secrets(), os.environ, server_address(), allowed_hosts())


def signed_in_email() -> str | None:
    """The e-mail the identity provider gives for the signed-in user, verified or not."""
    try:
        if st.user.get("is_logged_in"):
            email = st.user.get("email")
            return str(email) if email else None
    except Exception:  # st.user unavailable without an [auth] section in some contexts
        return None
    return None


def email_unverified() -> bool:
    """True when the identity provider says the signed-in user's e-mail is not verified.

    Providers that send no `email_verified` claim are trusted to vouch for the
    address; one that says `false` (or `"false"`) is not, since anyone can
    put someone else's address on an unverified account.
    """
    try:
        claim = st.user.get("email_verified")
    except Exception:  # as in signed_in_email
        return False
    return claim is False or (isinstance(claim, str) and claim.strip().lower() == "false")


def user_email() -> str | None:
    """The signed-in user's e-mail when it may name an analyst (never an unverified one)."""
    email = signed_in_email()
    return None if email is None or email_unverified() else email


def is_analyst(access: Access | None = None) -> bool:
    access = access or current_access()
    return can_publish(
        access, user_email(), st.session_state.get(PASSPHRASE), server_address=server_address()
    )


def server_check() -> bool:
    """Decided again from the current configuration: passed as `allowed=` to publish/rollback."""
    return is_analyst(current_access())


def user_label() -> str:
    """Who a version is recorded as published by."""
    return user_email() or "analyst"


def gate(action: str = "upload") -> bool:
    """Draw the access line or sign-in controls; True when the reader is an analyst.

    The verdict is also told to the server's upload guard, so this session may
    send files only while it is an analyst session.
    """
    access = current_access()
    if access.mode is AccessMode.CLOSED:
        _closed(access, action)
        allowed = False
    elif access.mode is AccessMode.LOCALHOST:
        st.info(LOCAL_NOTE, icon=":material/computer:")
        allowed = is_analyst(access)
    elif access.mode is AccessMode.PASSPHRASE:
        allowed = _passphrase(access, action)
    else:
        allowed = _oidc(access, action)
    session = session_id()
    if session:
        server.register(session, allowed)
    return allowed


def session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def client() -> str:
    """Who is guessing: the client's address where Streamlit knows it, else the session."""
    address = st.context.ip_address
    if isinstance(address, str) and address:
        return address
    return str(session_id() or "unknown")


def _closed(access: Access, action: str) -> None:
    """One short sentence; a specific reason (half-configured sign-on, an open host name)
    is said as it is, since it names the one thing to fix."""
    reason = CLOSED_NOTE if access.message == HOW_TO_CONFIGURE else access.message
    st.warning(f"**{action.capitalize()} is closed here.** {reason}", icon=":material/lock:")
    with st.expander("How to configure access"):
        st.code(SECRETS_EXAMPLE, language="toml")


def _passphrase(access: Access, action: str) -> bool:
    if is_analyst(access):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.success("Analyst access is unlocked for this session.", icon=":material/lock_open:")
        right.button("Lock", key="lock", on_click=_lock, width="stretch")
        return True
    with st.container(border=True):
        st.markdown(f"**Analysts only.** Enter the analyst passphrase to {action}.")
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        left.text_input("Analyst passphrase", type="password", key=PASS_INPUT)
        right.button("Unlock", key="unlock", on_click=_unlock, args=(access,), width="stretch")
        wrong = st.session_state.pop(PASS_WRONG, None)
        if wrong:
            st.error(str(wrong), icon=":material/key_off:")
    return False


def _unlock(access: Access) -> None:
    entered = str(st.session_state.get(PASS_INPUT) or "")
    st.session_state[PASS_INPUT] = ""
    who, now = client(), time.monotonic()
    wait = THROTTLE.wait(who, now)
    if wait > 0:
        st.session_state[PASS_WRONG] = f"Too many wrong passphrases; try again in {wait:.0f} s."
        return
    if can_publish(access, passphrase=entered):
        THROTTLE.passed(who)
        st.session_state[PASSPHRASE] = entered
        LOG.info("analyst access unlocked from %s", who)
        return
    misses = THROTTLE.missed(who, now)
    LOG.warning("wrong analyst passphrase from %s (%d in a row)", who, misses)
    st.session_state[PASS_WRONG] = "That passphrase is not right; try again."


def _lock() -> None:
    st.session_state.pop(PASSPHRASE, None)


def _oidc(access: Access, action: str) -> bool:
    email = signed_in_email()
    login_args = (access.provider,) if access.provider else ()
    if email is None:
        with st.container(border=True):
            st.markdown(f"**Analysts only.** {access.message}")
            st.button(
                "Sign in", key="login", icon=":material/login:", on_click=st.login, args=login_args
            )
        return False
    left, right = st.columns([6, 1], vertical_alignment="center")
    right.button("Sign out", key="logout", on_click=st.logout, width="stretch")
    if email_unverified():
        left.warning(
            f"You are signed in as {escape_markdown(email)}, but your sign-in provider has"
            f" not verified that address, so you cannot {action}. Verify it with the"
            " provider, then sign in again.",
            icon=":material/person_off:",
        )
        return False
    if is_analyst(access):
        left.success(f"Signed in as {escape_markdown(email)} (analyst).", icon=":material/person:")
        return True
    left.warning(
        f"You are signed in as {escape_markdown(email)}, who is not on the analyst list,"
        f" so you cannot {action}. Ask an administrator to add you.",
        icon=":material/person_off:",
    )
    return False
