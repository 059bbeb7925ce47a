"""A private Dovecot IMAP server for tests: its own config, users, mail and port.

It never touches a system Dovecot: the config passed with ``-c`` names its own runtime
directory, state, log and mail storage, and it listens on a free port on 127.0.0.1 with
plain-text login (no TLS). Install it with ``apt-get install dovecot-imapd`` (or
``scripts/test-preflight``); ``dovecot_server`` raises ``DovecotUnavailable`` without it.
"""

import grp
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from okienko.testing.smtp import free_port

DOVECOT = "/usr/sbin/dovecot"
DEFAULT_USERS = {
    "pomoc@sklep.example": "tajne-haslo-pomocy",
    "sprzedaz@sklep.example": "tajne-haslo-sprzedazy",
}
START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
APPEND_UID = re.compile(rb"APPENDUID \d+ (\d+)")

CONFIG = """\
# A private Dovecot for Okienko's tests; nothing here refers to the system instance.
base_dir = {base_dir}
state_dir = {state_dir}
instance_name = okienko-test-{port}
log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = {auth_mechanisms}
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:{mail}/%u
{oauth2_passdb}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
  default_fields = uid={mail_uid} gid={mail_gid} home={mail}/%u
}}
{capability}
service imap-login {{
  {login_chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


# Tokens are checked by asking a token-info endpoint, as Dovecot does with a real provider.
OAUTH2_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {oauth2_config}
}}"""
OAUTH2_CONFIG = """\
tokeninfo_url = {url}?access_token=
introspection_mode = get
username_attribute = username
"""


class DovecotUnavailable(RuntimeError):
    """Dovecot is not installed or did not start."""


@dataclass(frozen=True)
class DovecotServer:
    """A running private Dovecot: where it listens, its users and their passwords."""

    host: str
    port: int
    passwords: Mapping[str, str]
    log: Path
    config: Path

    @property
    def users(self) -> list[str]:
        return list(self.passwords)

    @contextmanager
    def connect(self, user: str) -> Iterator[Any]:
        """An ``IMAPClient`` logged in as ``user``, logged out afterwards."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        try:
            password = self.passwords[user]
            if f"{user}{password}".isascii():
                client.login(user, password)
            else:
                client.plain_login(user, password)  # LOGIN takes ASCII only
            yield client
        finally:
            with suppress(IMAPClientError, OSError):
                client.logout()

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> int:
        """Put a message into ``user``'s ``folder`` (created if missing) by IMAP APPEND, the
        way a delivery agent or another mail client would; returns its UID."""
        with self.connect(user) as client:
            if folder.upper() != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw)
        found = APPEND_UID.search(bytes(response))
        if found is None:
            raise DovecotUnavailable(f"Dovecot did not report the appended UID: {response!r}")
        return int(found.group(1))

    def kick(self, user: str) -> None:
        """Drop ``user``'s open connections, as a server restart or an admin would."""
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        subprocess.run(  # noqa: S603  (the installed doveadm, our own config)
            [doveadm, "-c", str(self.config), "kick", user], check=True, capture_output=True
        )


def _find_dovecot() -> str | None:
    # /usr/sbin is not on an ordinary user's PATH.
    return shutil.which("dovecot") or (DOVECOT if os.access(DOVECOT, os.X_OK) else None)


def is_installed() -> bool:
    """Whether a Dovecot binary is here (tests outside strict runs skip without one)."""
    return _find_dovecot() is not None


def _dovecot() -> str:
    found = _find_dovecot()
    if found is None:
        raise DovecotUnavailable(
            "Dovecot is not installed (no /usr/sbin/dovecot): run `apt-get install "
            "dovecot-imapd` or scripts/test-preflight as root"
        )
    return found


def _identities() -> dict[str, Any]:
    """Who the server's processes run as.

    As root, Dovecot refuses to run its login processes or to open mail as root, so they use
    the ``dovenull`` and ``dovecot`` users the Debian package creates. As anyone else,
    everything runs as that user (Dovecot's "rootless" mode) and login processes cannot chroot.
    """
    if os.geteuid() == 0:
        try:
            internal = pwd.getpwnam("dovecot")
            pwd.getpwnam("dovenull")
        except KeyError as error:
            raise DovecotUnavailable(
                "the users dovecot and dovenull are missing: install dovecot-imapd"
            ) from error
        login_user, login_chroot = "dovenull", ""
    else:
        internal = pwd.getpwuid(os.geteuid())
        login_user, login_chroot = internal.pw_name, "chroot ="
    return {
        "internal_user": internal.pw_name,
        "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
        "login_user": login_user,
        "login_chroot": login_chroot,
        "mail_uid": internal.pw_uid,
        "mail_gid": internal.pw_gid,
    }


def _token_info_handler(tokens: Mapping[str, str]) -> type[BaseHTTPRequestHandler]:
    class TokenInfo(BaseHTTPRequestHandler):
        """Answers Dovecot's token check: the user a token belongs to, or 401."""

        def do_GET(self) -> None:
            token = parse_qs(urlsplit(self.path).query).get("access_token", [""])[0]
            user = tokens.get(token)
            body = json.dumps({"username": user} if user else {"error": "invalid_token"})
            self.send_response(200 if user else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests' output is not the place for request lines."""

    return TokenInfo


@contextmanager
def _token_info_server(tokens: Mapping[str, str]) -> Iterator[str]:
    """A local OAuth2 token-info endpoint knowing ``tokens`` (token -> user); yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _token_info_handler(tokens))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tokeninfo"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _wait_until_ready(process: subprocess.Popen[bytes], port: int, home: Path) -> None:
    """Until the server greets an IMAP client; its log in the error if it never does."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=2)
        except (IMAPClientError, OSError):
            time.sleep(0.05)
            continue
        with suppress(IMAPClientError, OSError):
            client.logout()
        return
    # Config errors go to standard output, everything after start-up to the log.
    output = "".join(
        path.read_text(errors="replace")[-3000:]
        for path in (home / "output.log", home / "dovecot.log")
        if path.exists()
    )
    raise DovecotUnavailable(f"Dovecot did not start on 127.0.0.1:{port}:\n{output}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # The master did not stop its children in time: end the whole session it leads.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def dovecot_server(
    tmp_path: Path,
    users: Mapping[str, str] | None = None,
    *,
    imap_capability: str = "",
    oauth2_tokens: Mapping[str, str] | None = None,
) -> Iterator[DovecotServer]:
    """Run a private Dovecot IMAP server until the block ends.

    ``users`` maps user names to passwords (default ``DEFAULT_USERS``). ``imap_capability``
    replaces what the server advertises after login, e.g. to leave out MOVE or IDLE and
    exercise a client's fallbacks; the commands themselves keep working. ``oauth2_tokens``
    (token -> user) turns on XOAUTH2 and OAUTHBEARER logins, checked against a local
    token-info endpoint.

    Config, log and state live in ``tmp_path / "dovecot"``. The runtime sockets, the users file
    and the mail live in a short private directory of their own, removed afterwards: socket
    paths must stay under 108 bytes, and as root the ``dovecot`` user must reach the mail,
    which pytest's owner-only ``tmp_path`` would not let it.
    """
    passwords = dict(DEFAULT_USERS if users is None else users)
    for user, password in passwords.items():
        if any(character in f"{user}{password}" for character in ":\n"):
            raise ValueError(f"user {user!r}: no ':' or newlines in names and passwords")
    executable = _dovecot()
    identities = _identities()
    home = tmp_path / "dovecot"
    (home / "state").mkdir(parents=True)
    with ExitStack() as cleanup:
        runtime = Path(tempfile.mkdtemp(prefix="okienko-dovecot-"))
        cleanup.callback(shutil.rmtree, runtime, ignore_errors=True)
        runtime.chmod(0o755)
        mail = runtime / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            os.chown(mail, identities["mail_uid"], identities["mail_gid"])
        users_file = _readable(
            runtime / "users",
            "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in passwords.items()),
        )
        oauth2_passdb = ""
        if oauth2_tokens is not None:
            url = cleanup.enter_context(_token_info_server(oauth2_tokens))
            oauth2_config = _readable(runtime / "oauth2.conf", OAUTH2_CONFIG.format(url=url))
            oauth2_passdb = OAUTH2_PASSDB.format(oauth2_config=oauth2_config)
        port = free_port()
        log = home / "dovecot.log"
        config = home / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                base_dir=runtime / "run",
                state_dir=home / "state",
                log=log,
                mail=mail,
                users=users_file,
                port=port,
                auth_mechanisms="plain login" + (" xoauth2 oauthbearer" if oauth2_passdb else ""),
                oauth2_passdb=oauth2_passdb,
                capability=f"imap_capability = {imap_capability}" if imap_capability else "",
                **identities,
            )
        )
        with (home / "output.log").open("wb") as output:
            process = subprocess.Popen(  # noqa: S603  (the installed Dovecot, our own config)
                [executable, "-F", "-c", str(config)],
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        cleanup.callback(_stop, process)
        _wait_until_ready(process, port, home)
        yield DovecotServer(
            host="127.0.0.1", port=port, passwords=passwords, log=log, config=config
        )


def _readable(path: Path, text: str) -> Path:
    """Write a file the server's unprivileged processes can read (as root: the auth process)."""
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path
