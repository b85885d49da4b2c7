"""Configuration keywords, their environment fallbacks and their types."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import KEY, SECRET, Emulator, closed_port

import sethealth


def test_api_url_from_environment(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET)

    assert client.api_url == emulator.url


def test_api_url_keyword_wins_over_environment(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("SETHEALTH_API_URL", f"https://127.0.0.1:{closed_port()}")

    client = sethealth.Client(KEY, SECRET, api_url=emulator.url + "/")

    assert client.api_url == emulator.url
    assert client.get_token().token.count(".") == 2


def test_default_api_url_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SETHEALTH_API_URL")

    # Only constructed: nothing is sent to the real service.
    assert sethealth.Client(KEY, SECRET).api_url == "https://api.set.health"


def test_ca_file_keyword_accepts_path(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.delenv("SETHEALTH_CA_FILE")

    client = sethealth.Client(KEY, SECRET, ca_file=Path(emulator.ca_file))

    assert client.get_token().token.count(".") == 2


def test_empty_ca_file_is_invalid_config(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("")

    with pytest.raises(sethealth.InvalidConfigError, match="no PEM certificate"):
        sethealth.Client(KEY, SECRET, ca_file=empty)


def test_timeout_accepts_timedelta(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=3)
    client = sethealth.Client(KEY, SECRET, timeout=timedelta(milliseconds=400), max_attempts=1)

    started = time.monotonic()
    with pytest.raises(sethealth.SethealthTimeoutError):
        client.get_token()

    assert time.monotonic() - started < 3


def test_attempt_timeout_with_retries(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=2)
    client = sethealth.Client(KEY, SECRET, attempt_timeout=0.3, timeout=10)

    token = client.get_token()

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 3


def test_max_attempts_one_disables_retries(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=503, count=2)

    with pytest.raises(sethealth.ServerError):
        sethealth.Client(KEY, SECRET, max_attempts=1).get_token()
    assert emulator.stats()["requests"] == 1


def test_default_retries_recover_from_503(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=503, count=2)

    token = sethealth.Client(KEY, SECRET).get_token()

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 3


def test_connect_timeout_bounds_tls_handshake(emulator: Emulator) -> None:
    # The kernel completes the TCP handshake for a listening socket, but
    # nothing ever reads the TLS ClientHello.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        client = sethealth.Client(
            KEY, SECRET, api_url=f"https://127.0.0.1:{port}", connect_timeout=0.3, max_attempts=1
        )

        started = time.monotonic()
        with pytest.raises(sethealth.SethealthTimeoutError) as raised:
            client.get_token()
        elapsed = time.monotonic() - started

    assert "raise the connect timeout" in raised.value.message
    assert "300 ms" in raised.value.message
    assert elapsed < 3


def test_zero_retry_delays_retry_at_once(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=503, count=2)
    client = sethealth.Client(KEY, SECRET, retry_base_delay=0, retry_max_delay=timedelta(0))

    token = client.get_token()

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 3


def test_cache_capacity_evicts_least_recently_used(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET, cache_capacity=1)

    client.get_token(user_id="a")
    client.get_token(user_id="b")
    client.get_token(user_id="a")

    assert emulator.stats()["requests"] == 3
    assert client.cached_tokens() == 1


def test_cache_disabled_ignores_zero_capacity(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET, cache=False, cache_capacity=0)

    client.get_token()

    assert client.cached_tokens() == 0


@pytest.mark.parametrize(
    ("settings", "requests"),
    [
        ({}, 1),
        # No token keeps all of its lifetime once the response has arrived.
        ({"cache_min_remaining_fraction": 1.0}, 2),
        # The emulator's tokens live one hour, less than the margin asked for.
        ({"cache_min_remaining": timedelta(hours=2)}, 2),
        ({"cache_min_remaining_fraction": 0, "cache_min_remaining": 0}, 1),
    ],
)
def test_cache_margins_decide_reuse(emulator: Emulator, settings: dict[str, Any], requests: int) -> None:
    client = sethealth.Client(KEY, SECRET, **settings)

    client.get_token()
    client.get_token()

    assert emulator.stats()["requests"] == requests


@pytest.mark.parametrize(
    ("assumed_lifetime", "requests"),
    [
        (None, 1),
        # Shorter than the default 30 s margin: never handed out again.
        (20, 2),
    ],
)
def test_assumed_lifetime_applies_to_opaque_token(
    emulator: Emulator, assumed_lifetime: int | None, requests: int
) -> None:
    # A 100-byte body {"token":"xx...x"}: a token that is not a JWT and states no expiry.
    emulator.fault(kind="oversized", bytes=100, count=2)
    client = sethealth.Client(KEY, SECRET, cache_assumed_lifetime=assumed_lifetime)

    first = client.get_token()
    client.get_token()

    assert first.expiry_source == "assumed"
    assert first.expires_at is None
    assert emulator.stats()["requests"] == requests


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timeout": "30"}, "timeout must be a number of seconds"),
        ({"connect_timeout": False}, "connect_timeout must be a number of seconds"),
        ({"max_attempts": 2.5}, "max_attempts must be an int"),
        ({"cache": "yes"}, "cache must be True or False"),
        ({"retry_base_delay": "200ms"}, "retry_base_delay must be a number of seconds"),
        ({"retry_max_delay": True}, "retry_max_delay must be a number of seconds"),
        ({"cache_capacity": 1.5}, "cache_capacity must be an int"),
        ({"cache_capacity": True}, "cache_capacity must be an int"),
        ({"cache_min_remaining_fraction": "0.5"}, "cache_min_remaining_fraction must be a number"),
        ({"cache_min_remaining": [30]}, "cache_min_remaining must be a number of seconds"),
        ({"cache_assumed_lifetime": "10m"}, "cache_assumed_lifetime must be a number of seconds"),
    ],
)
def test_wrong_setting_type_is_type_error(settings: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        sethealth.Client(KEY, SECRET, **settings)  # type: ignore[arg-type]


def test_unknown_setting_is_type_error() -> None:
    with pytest.raises(TypeError, match="retries"):
        sethealth.Client(KEY, SECRET, retries=3)  # type: ignore[call-arg]


def test_credential_of_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError, match="key"):
        sethealth.Client(12345, SECRET)  # type: ignore[arg-type]
