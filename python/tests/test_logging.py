"""Debug records under the ``sethealth`` logger, and no secret anywhere."""

from __future__ import annotations

import asyncio
import logging
import pickle

import pytest
from support import KEY, SECRET, Emulator

import sethealth


def test_one_debug_record_per_call(
    caplog: pytest.LogCaptureFixture, client: sethealth.Client, emulator: Emulator
) -> None:
    caplog.set_level(logging.DEBUG, logger="sethealth")

    client.get_token(user_id="patient-42", expires_in=60)

    records = [record for record in caplog.records if record.name == "sethealth"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert records[0].levelno == logging.DEBUG
    assert message.startswith(f"get_token key={KEY!r} user_id='patient-42' expires_in=60.0")
    assert "ok, token expires at" in message
    assert " ms" in message


def test_failure_record_names_kind_and_status(caplog: pytest.LogCaptureFixture, emulator: Emulator) -> None:
    caplog.set_level(logging.DEBUG, logger="sethealth")

    with pytest.raises(sethealth.RejectedError):
        sethealth.Client(KEY, "wrong-secret").get_token()

    message = caplog.records[-1].getMessage()
    assert "failed with rejected, status 401" in message


def test_secret_absent_from_logs(caplog: pytest.LogCaptureFixture, emulator: Emulator) -> None:
    caplog.set_level(logging.DEBUG)
    client = sethealth.Client(KEY, SECRET)

    client.get_token()
    asyncio.run(client.get_token_async(fresh=True))
    emulator.fault(kind="status", status=401, body=f'{{"error":"bad secret {SECRET}"}}')
    with pytest.raises(sethealth.RejectedError) as raised:
        client.get_token(fresh=True)
    with pytest.raises(sethealth.MissingCredentialsError):
        sethealth.Client(KEY, "").get_token()

    assert len(caplog.records) >= 4
    assert SECRET not in caplog.text
    assert SECRET not in str(raised.value)
    assert "<redacted>" in raised.value.message


def test_secret_absent_from_client_repr(client: sethealth.Client) -> None:
    assert SECRET not in repr(client)
    assert SECRET not in str(client)
    assert repr(client) == f"sethealth.Client(key={KEY!r}, api_url={client.api_url!r})"


def test_client_refuses_pickling(client: sethealth.Client) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
