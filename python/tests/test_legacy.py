"""The API of the old pure-Python sethealth 1.8.0 package keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from support import KEY, SECRET, Emulator, jwt_claims

import sethealth

LEGACY_SCRIPT = Path(os.environ.get("SETHEALTH_REPO", ".")) / "examples" / "python" / "legacy.py"


def test_legacy_script_runs_unchanged(emulator: Emulator, subprocess_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, str(LEGACY_SCRIPT)],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ACCESS TOKEN: ey"), result.stdout
    token = result.stdout.removeprefix("ACCESS TOKEN: ").strip()
    assert jwt_claims(token)["sub"] == "legacy-user"
    assert SECRET not in result.stdout + result.stderr


def test_client_from_environment(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("SETHEALTH_KEY", KEY)
    monkeypatch.setenv("SETHEALTH_SECRET", SECRET)

    token = sethealth.Client().getToken()

    assert isinstance(token, str)
    assert jwt_claims(token)["sa"] == KEY


def test_environment_read_at_construction_not_import(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator
) -> None:
    # The old package read the variables once, as default argument values at import.
    monkeypatch.setenv("SETHEALTH_KEY", "sa_set_after_import")
    monkeypatch.setenv("SETHEALTH_SECRET", "whatever")

    assert sethealth.Client().key == "sa_set_after_import"


def test_positional_credentials_and_attributes(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET)

    assert client.key == KEY
    assert client.secret == SECRET


def test_constructor_prints_nothing(capfd: pytest.CaptureFixture[str], emulator: Emulator) -> None:
    sethealth.Client(KEY, SECRET)

    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


@pytest.mark.parametrize(
    ("present", "missing"),
    [("SETHEALTH_SECRET", "SETHEALTH_KEY"), ("SETHEALTH_KEY", "SETHEALTH_SECRET")],
)
def test_unset_credential_raises_input_exception(
    monkeypatch: pytest.MonkeyPatch, present: str, missing: str
) -> None:
    monkeypatch.setenv(present, "something")

    with pytest.raises(sethealth.InputException) as raised:
        sethealth.Client()

    assert missing in raised.value.message
    assert isinstance(raised.value, sethealth.MissingCredentialsError)


@pytest.mark.parametrize(
    ("key", "secret", "variable"),
    [("", SECRET, "SETHEALTH_KEY"), (KEY, "", "SETHEALTH_SECRET"), (KEY, "   ", "SETHEALTH_SECRET")],
)
def test_empty_credential_fails_at_token_call_without_sending(
    emulator: Emulator, key: str, secret: str, variable: str
) -> None:
    client = sethealth.Client(key, secret)

    with pytest.raises(sethealth.AuthException) as raised:
        client.getToken()

    error: sethealth.SethealthError = raised.value
    assert isinstance(error, sethealth.InputException)
    assert type(error) is sethealth.MissingCredentialsError
    assert variable in raised.value.message
    assert raised.value.code == 1
    assert emulator.stats()["requests"] == 0


def test_empty_credential_from_environment_fails_at_token_call(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator
) -> None:
    monkeypatch.setenv("SETHEALTH_KEY", KEY)
    monkeypatch.setenv("SETHEALTH_SECRET", "")
    client = sethealth.Client()

    with pytest.raises(sethealth.MissingCredentialsError, match="SETHEALTH_SECRET"):
        client.getToken()
    assert client.key == KEY
    assert client.secret == ""


def test_empty_key_with_unset_secret_raises_at_construction(emulator: Emulator) -> None:
    with pytest.raises(sethealth.MissingCredentialsError) as raised:
        sethealth.Client("")

    assert "SETHEALTH_SECRET is not set" in raised.value.message


def test_empty_key_keeps_secret_from_environment(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.setenv("SETHEALTH_SECRET", f" {SECRET}\n")
    client = sethealth.Client("")

    assert client.key == ""
    assert client.secret == SECRET
    assert client.api_url == emulator.url
    with pytest.raises(sethealth.MissingCredentialsError, match="SETHEALTH_KEY"):
        client.get_token()
    assert emulator.stats()["requests"] == 0


def test_empty_credential_still_checks_settings() -> None:
    with pytest.raises(sethealth.InvalidConfigError, match="not a url"):
        sethealth.Client(KEY, "", api_url="not a url")


def test_get_token_sends_options(client: sethealth.Client, emulator: Emulator) -> None:
    token = client.getToken(test_mode=True, expires_in=1800, user_id="patient-42")

    body = emulator.last_body()
    assert body["test-mode"] is True
    assert body["expires-in"] == 1800 * 10**9
    assert body["user-id"] == "patient-42"
    claims = jwt_claims(token)
    assert claims["sub"] == "patient-42"
    assert claims["test"] is True


def test_get_token_accepts_timedelta_lifetime(client: sethealth.Client, emulator: Emulator) -> None:
    client.getToken(expires_in=timedelta(minutes=5))

    assert emulator.last_body()["expires-in"] == 300 * 10**9


def test_get_token_unknown_keyword_is_type_error(client: sethealth.Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="userid"):
        client.getToken(userid="patient-42")  # type: ignore[call-arg]
    assert emulator.stats()["requests"] == 0


def test_negative_lifetime_is_input_exception(client: sethealth.Client, emulator: Emulator) -> None:
    with pytest.raises(sethealth.InputException) as raised:
        client.getToken(expires_in=-5)

    assert isinstance(raised.value, ValueError)
    assert "expires_in" in raised.value.message
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize("cls", [sethealth.AuthException, sethealth.InputException])
def test_legacy_exception_constructor_and_message(cls: type[sethealth.SethealthError]) -> None:
    error = cls("Bad auth")

    assert error.message == "Bad auth"
    assert str(error) == "Bad auth"
    assert isinstance(error, sethealth.SethealthError)


def test_auth_exception_catches_server_failure(client: sethealth.Client, emulator: Emulator) -> None:
    emulator.fault(kind="status", status=500, count=10)
    fast = sethealth.Client(KEY, SECRET, max_attempts=1)

    with pytest.raises(sethealth.AuthException) as raised:
        fast.getToken()

    assert raised.value.message
    assert SECRET not in raised.value.message
