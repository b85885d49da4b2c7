"""Single-flight through the Python API: concurrent calls with equal options,
from threads or asyncio, share one upstream request."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import KEY, SECRET, Emulator, jwt_claims, wait_for_requests

import sethealth

CALLERS = 100

#: The emulator delays each response by this long, so that the callers overlap.
OVERLAP_MS = 200


def _call_from_threads(client: sethealth.Client, user_ids: list[str]) -> list[str]:
    """Call ``get_token`` once per user id, each from its own thread, all released at once."""
    barrier = threading.Barrier(len(user_ids))

    def call(user_id: str) -> str:
        barrier.wait(timeout=30)
        return client.get_token(user_id=user_id).token

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        return list(pool.map(call, user_ids))


def test_cold_cache_threads_share_one_request(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=OVERLAP_MS)
    client = sethealth.Client(KEY, SECRET)

    tokens = _call_from_threads(client, ["same"] * CALLERS)

    assert len(set(tokens)) == 1
    assert emulator.stats()["requests"] == 1
    assert client.cached_tokens() == 1


@pytest.mark.asyncio
async def test_cold_cache_async_calls_share_one_request(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=OVERLAP_MS)
    client = sethealth.Client(KEY, SECRET)

    tokens = await asyncio.gather(*(client.get_token_async(user_id="same") for _ in range(CALLERS)))

    assert len({token.token for token in tokens}) == 1
    assert emulator.stats()["requests"] == 1


def test_ten_users_threads_make_ten_requests(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=OVERLAP_MS, count=10)
    client = sethealth.Client(KEY, SECRET)
    user_ids = [f"user-{n % 10}" for n in range(CALLERS)]

    tokens = _call_from_threads(client, user_ids)

    assert [jwt_claims(token)["sub"] for token in tokens] == user_ids
    assert len(set(tokens)) == 10
    assert emulator.stats()["requests"] == 10
    assert client.cached_tokens() == 10


@pytest.mark.asyncio
async def test_ten_users_async_calls_make_ten_requests(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=OVERLAP_MS, count=10)
    client = sethealth.Client(KEY, SECRET)
    user_ids = [f"user-{n % 10}" for n in range(CALLERS)]

    tokens = await asyncio.gather(*(client.get_token_async(user_id=user_id) for user_id in user_ids))

    assert [jwt_claims(token.token)["sub"] for token in tokens] == user_ids
    assert emulator.stats()["requests"] == 10


@pytest.mark.asyncio
async def test_cache_disabled_calls_do_not_share_requests(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=OVERLAP_MS, count=10)
    client = sethealth.Client(KEY, SECRET, cache=False)

    tokens = await asyncio.gather(*(client.get_token_async(user_id="same") for _ in range(10)))

    assert len({token.token for token in tokens}) == 10
    assert emulator.stats()["requests"] == 10


@pytest.mark.asyncio
async def test_cancelled_waiter_leaves_others_their_token(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=1500)
    client = sethealth.Client(KEY, SECRET)
    calls = [asyncio.ensure_future(client.get_token_async(user_id="shared")) for _ in range(3)]
    await asyncio.to_thread(wait_for_requests, emulator, 1)

    calls[0].cancel()
    with pytest.raises(asyncio.CancelledError):
        await calls[0]

    # The cancelled call returned while the shared request was still in flight.
    assert not calls[1].done()
    assert not calls[2].done()
    first, second = await asyncio.gather(calls[1], calls[2])
    assert first.token == second.token
    assert emulator.stats()["requests"] == 1
    assert client.cached_tokens() == 1
