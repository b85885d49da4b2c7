"""The asyncio API: the same results as the blocking one, real concurrency,
and cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest
from support import KEY, SECRET, Emulator, jwt_claims

import sethealth

#: A generous upper bound, in seconds, for "returns promptly".
PROMPT = 2.0


@pytest.mark.asyncio
async def test_async_token_matches_sync_options(client: sethealth.Client, emulator: Emulator) -> None:
    token = await client.get_token_async(user_id="patient-7", expires_in=600, test_mode=True)

    assert jwt_claims(token.token)["sub"] == "patient-7"
    assert emulator.last_body() == {
        "id": KEY,
        "secret": "<redacted>",
        "test-mode": True,
        "expires-in": 600 * 10**9,
        "user-id": "patient-7",
    }
    assert token.expiry_source == "claim"


@pytest.mark.asyncio
async def test_async_and_sync_share_the_cache(client: sethealth.Client, emulator: Emulator) -> None:
    first = client.get_token(user_id="shared")
    second = await client.get_token_async(user_id="shared")

    assert second.token == first.token
    assert emulator.stats()["requests"] == 1


@pytest.mark.asyncio
async def test_async_fresh_requests_again(client: sethealth.Client, emulator: Emulator) -> None:
    first = await client.get_token_async()
    second = await client.get_token_async(fresh=True)

    assert second.token != first.token
    assert emulator.stats()["requests"] == 2


@pytest.mark.asyncio
async def test_event_loop_runs_during_request(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=500)
    client = sethealth.Client(KEY, SECRET)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.ensure_future(tick())
    await client.get_token_async()
    ticker.cancel()

    assert ticks >= 10


@pytest.mark.asyncio
async def test_concurrent_async_calls(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET)

    tokens = await asyncio.gather(*(client.get_token_async(user_id=f"user-{n}") for n in range(20)))

    subjects = {jwt_claims(token.token)["sub"] for token in tokens}
    assert subjects == {f"user-{n}" for n in range(20)}
    assert emulator.stats()["requests"] == 20


@pytest.mark.asyncio
@pytest.mark.parametrize("cache", [True, False])
async def test_cancelled_task_returns_promptly(emulator: Emulator, cache: bool) -> None:
    emulator.fault(kind="stall", count=3)
    client = sethealth.Client(KEY, SECRET, cache=cache)
    task = asyncio.ensure_future(client.get_token_async())
    await asyncio.sleep(0.3)
    assert not task.done()

    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert time.monotonic() - started < PROMPT
    assert task.cancelled()


@pytest.mark.asyncio
async def test_wait_for_timeout_cancels_call(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=3)
    client = sethealth.Client(KEY, SECRET, cache=False)

    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.get_token_async(), timeout=0.3)

    assert time.monotonic() - started < PROMPT


@pytest.mark.asyncio
async def test_client_usable_after_cancellation(emulator: Emulator) -> None:
    emulator.fault(kind="stall")
    client = sethealth.Client(KEY, SECRET, cache=False)
    task = asyncio.ensure_future(client.get_token_async())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    token = await client.get_token_async()

    assert jwt_claims(token.token)["sa"] == KEY


@pytest.mark.asyncio
async def test_async_empty_credential_raises_missing_credentials(emulator: Emulator) -> None:
    client = sethealth.Client("", SECRET)

    with pytest.raises(sethealth.MissingCredentialsError, match="SETHEALTH_KEY"):
        await client.get_token_async()
    assert emulator.stats()["requests"] == 0


@pytest.mark.asyncio
async def test_async_negative_lifetime_raises_invalid_argument(client: sethealth.Client) -> None:
    with pytest.raises(sethealth.InvalidArgumentError, match="expires_in"):
        await client.get_token_async(expires_in=-3)
