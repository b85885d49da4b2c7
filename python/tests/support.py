"""Test helpers shared by the test modules: the service account, the
emulator's admin client, and small utilities."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
import urllib.request
from typing import Any

#: The service account the emulator accepts. The secret is distinctive so
#: that tests can assert it never appears in any output.
KEY = "sa_pytest_0001"
SECRET = "r_PYTEST-SECRET-7f3a9c2e51b84d06="


class Emulator:
    """A running emulator: its URL, its CA file, and its admin endpoints."""

    def __init__(self, url: str, ca_file: str) -> None:
        self.url = url
        self.ca_file = ca_file
        context = ssl.create_default_context(cafile=ca_file)
        # An empty ProxyHandler: admin requests never go through a proxy from the environment.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self._opener.open(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def stats(self) -> dict[str, Any]:
        """Return the counters: requests, tokens_issued, rejections, by_status."""
        result: dict[str, Any] = self._call("GET", "/_emulator/stats")
        return result

    def requests(self) -> list[dict[str, Any]]:
        """Return the recorded token requests, the secret replaced by ``<redacted>``."""
        result: list[dict[str, Any]] = self._call("GET", "/_emulator/requests")
        return result

    def last_body(self) -> dict[str, Any]:
        """Return the JSON body of the last recorded token request."""
        body: dict[str, Any] = json.loads(self.requests()[-1]["body"])
        return body

    def fault(self, **fault: Any) -> None:
        """Queue a fault, such as ``fault(kind="status", status=503, count=3)``."""
        self._call("POST", "/_emulator/faults", fault)

    def reset(self) -> None:
        """Clear the faults, the counters and the recorded requests."""
        self._call("POST", "/_emulator/reset")


def jwt_claims(token: str) -> dict[str, Any]:
    """Decode the claims of a JWT without checking its signature."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def closed_port() -> int:
    """Return a loopback TCP port that nothing listens on (just released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_for_requests(emulator: Emulator, count: int, within: float = 10.0) -> None:
    """Wait until the emulator has received ``count`` token requests.

    Raises:
        AssertionError: They did not arrive within ``within`` seconds.
    """
    give_up = time.monotonic() + within
    while emulator.stats()["requests"] < count:
        if time.monotonic() > give_up:
            raise AssertionError(f"the emulator did not receive {count} request(s) within {within} s")
        time.sleep(0.02)
