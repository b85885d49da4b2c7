"""Configuration keywords, their environment fallbacks and their types."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

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


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timeout": "30"}, "timeout must be a number of seconds"),
        ({"connect_timeout": False}, "connect_timeout must be a number of seconds"),
        ({"max_attempts": 2.5}, "max_attempts must be an int"),
        ({"cache": "yes"}, "cache must be True or False"),
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
