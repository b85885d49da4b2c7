"""Cancellation with the cache on: a cancelled call aborts the HTTP request
it started unless other calls still wait on it, so no token from an
abandoned request lands in the cache."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from support import KEY, SECRET, Emulator, wait_for_requests

import sethealth

#: The emulator delays the first response by this long.
DELAY_MS = 1000

#: A generous upper bound, in seconds, for "returns promptly".
PROMPT = 3.0


@pytest.mark.asyncio
async def test_cancelled_async_call_aborts_its_request(emulator: Emulator) -> None:
    emulator.fault(kind="delay", ms=DELAY_MS)
    client = sethealth.Client(KEY, SECRET)
    call = asyncio.ensure_future(client.get_token_async())
    await asyncio.to_thread(wait_for_requests, emulator, 1)

    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    # Past the delay, a request that was not aborted would have cached its token.
    await asyncio.sleep(DELAY_MS / 1000 + 0.3)

    assert client.cached_tokens() == 0
    await client.get_token_async()
    assert emulator.stats()["requests"] == 2
    assert client.cached_tokens() == 1


CTRL_C_THEN_CALL_AGAIN = textwrap.dedent(
    """
    import sys, time, sethealth
    client = sethealth.Client()
    print("calling", flush=True)
    try:
        client.get_token()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    time.sleep(float(sys.argv[1]))
    print(f"cached after the delay: {client.cached_tokens()}", flush=True)
    client.get_token()
    print(f"cached after a second call: {client.cached_tokens()}", flush=True)
    """
)


def test_ctrl_c_aborts_its_request(emulator: Emulator, subprocess_env: dict[str, str]) -> None:
    emulator.fault(kind="delay", ms=DELAY_MS)
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_THEN_CALL_AGAIN, str(DELAY_MS / 1000 + 0.3)],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "calling"
    wait_for_requests(emulator, 1)

    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)

    assert child.returncode == 0, stderr
    assert stdout.splitlines() == [
        "interrupted",
        "cached after the delay: 0",
        "cached after a second call: 1",
    ]
    assert emulator.stats()["requests"] == 2
    assert SECRET not in stdout + stderr


# Two threads and the main thread wait on one shared request; only the main
# thread receives SIGINT.
CTRL_C_WITH_OTHER_WAITERS = textwrap.dedent(
    """
    import threading, time, sethealth
    client = sethealth.Client()
    tokens = []
    waiters = [
        threading.Thread(target=lambda: tokens.append(client.get_token(user_id="shared").token))
        for _ in range(2)
    ]
    for waiter in waiters:
        waiter.start()
    print("calling", flush=True)
    started = time.monotonic()
    try:
        client.get_token(user_id="shared")
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.2f} s", flush=True)
    print(f"other waiters done: {any(not waiter.is_alive() for waiter in waiters)}", flush=True)
    for waiter in waiters:
        waiter.join()
    print(f"tokens: {len(tokens)}, distinct: {len(set(tokens))}", flush=True)
    """
)


def test_ctrl_c_leaves_other_threads_their_token(emulator: Emulator, subprocess_env: dict[str, str]) -> None:
    emulator.fault(kind="delay", ms=1500)
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_WITH_OTHER_WAITERS],
        env=subprocess_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "calling"
    wait_for_requests(emulator, 1)

    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=30)

    assert child.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("interrupted after ")
    assert lines[1:] == ["other waiters done: False", "tokens: 2, distinct: 1"]
    assert time.monotonic() - sent < PROMPT + 1.5
    assert emulator.stats()["requests"] == 1
