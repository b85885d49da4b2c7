"""Retries through the Python API: what is retried, how long the client
waits, and the overall deadline."""

from __future__ import annotations

import asyncio
import time

import pytest
from support import KEY, SECRET, Emulator

import sethealth


def test_rejection_is_not_retried(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=401, count=3)

    with pytest.raises(sethealth.RejectedError) as raised:
        sethealth.Client(KEY, SECRET).get_token()

    assert raised.value.status_code == 401
    assert raised.value.attempts == 1
    assert emulator.stats()["requests"] == 1


def test_retry_after_one_second_is_honoured(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=429, retry_after="1")
    client = sethealth.Client(KEY, SECRET)

    started = time.monotonic()
    token = client.get_token()
    elapsed = time.monotonic() - started

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 2
    assert elapsed >= 0.9
    assert elapsed < 5


@pytest.mark.asyncio
async def test_async_retry_after_is_honoured(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=429, retry_after="1")
    client = sethealth.Client(KEY, SECRET)

    started = time.monotonic()
    token = await client.get_token_async()
    elapsed = time.monotonic() - started

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 2
    assert elapsed >= 0.9
    assert elapsed < 5


def test_stalled_server_fails_at_overall_deadline(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=10)
    # Ten attempts of 0.4 s would take 4 s or more; the 1 s deadline ends the call first.
    client = sethealth.Client(KEY, SECRET, timeout=1, attempt_timeout=0.4, max_attempts=10)

    started = time.monotonic()
    with pytest.raises(sethealth.SethealthTimeoutError) as raised:
        client.get_token()
    elapsed = time.monotonic() - started

    assert raised.value.kind == "timeout"
    assert raised.value.status_code is None
    assert 2 <= emulator.stats()["requests"] <= 3
    # The call may stop early, when the next backoff would pass the deadline.
    assert elapsed >= 0.7
    assert elapsed < 2.5


@pytest.mark.asyncio
async def test_async_stalled_server_fails_at_overall_deadline(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=10)
    client = sethealth.Client(KEY, SECRET, timeout=1, attempt_timeout=0.4, max_attempts=10)

    started = time.monotonic()
    with pytest.raises(sethealth.SethealthTimeoutError):
        await client.get_token_async()

    assert time.monotonic() - started < 2.5


def test_async_recovers_from_503(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=503, count=2)
    client = sethealth.Client(KEY, SECRET)

    token = asyncio.run(client.get_token_async())

    assert token.token.count(".") == 2
    assert emulator.stats()["requests"] == 3
