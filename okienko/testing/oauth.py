"""A provider's OAuth2 token endpoint on loopback, for tests of mailboxes that log in with
OAuth2 (IMAP and SMTP XOAUTH2)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class TokenEndpoint:
    """A provider's OAuth2 token endpoint on loopback: the refresh_token grant for one client.

    A granted access token is added to ``server_tokens`` (what the test's IMAP or SMTP server
    checks tokens against), as a provider's own mail servers would then accept it.
    """

    CLIENT_ID = "okienko-app"
    CLIENT_SECRET = "sekret-aplikacji"

    def __init__(self, server_tokens: dict[str, str], refresh_tokens: dict[str, str]) -> None:
        self.server_tokens = server_tokens
        self.refresh_tokens = refresh_tokens  # refresh token -> user
        self.requests: list[dict[str, str]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                endpoint.requests.append(form)
                status, answer = endpoint.answer(form)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def answer(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        if (form.get("client_id"), form.get("client_secret")) != (
            self.CLIENT_ID,
            self.CLIENT_SECRET,
        ):
            return 401, {"error": "invalid_client"}
        user = self.refresh_tokens.get(form.get("refresh_token", ""))
        if form.get("grant_type") != "refresh_token" or user is None:
            return 400, {"error": "invalid_grant", "error_description": "Token has been revoked."}
        access_token = f"dostep-{len(self.requests)}"
        self.server_tokens[access_token] = user
        return 200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"}

    def __enter__(self) -> "TokenEndpoint":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
