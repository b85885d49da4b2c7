"""Benchmark token calls of the installed ``sethealth`` package, side by side.

Starts its own emulator over HTTPS on 127.0.0.1 and measures, in one run:

- ``cache_hit``: ``get_token`` on a warm cache;
- ``mint_reused_connection``: a new token from one ``cache=False`` client,
  whose pool keeps the TLS connection open between calls;
- ``mint_new_connection`` (the baseline): a new ``Client`` per call, so each
  call pays a TCP and TLS handshake, as the legacy clients did.

Each benchmark warms up, then runs ``--rounds`` timed rounds of about
``--round-seconds`` each. ``ns_per_op`` is the median of the rounds' mean
times per call (the median resists noise from other processes). The results
are written as the JSON list that scripts/bench-report.py reads::

    [{"name": "cache_hit", "ns_per_op": 1234.5}, ...]

Run it with a Python that has the wheel installed (``make bench-python``)::

    python bench_token.py --emulator target/release/sethealth-emulator \\
        --output build/bench/python.json
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sethealth

KEY = "sa_bench_python_0001"
SECRET = "r_bench_python_secret="

#: The maximum time the emulator may take to write its ready file, in seconds.
READY_TIMEOUT = 20.0

#: The target duration of one batch of calls between two clock reads, in ns.
BATCH_NS = 10_000_000


@dataclass
class Emulator:
    """A running emulator: its URL, its CA file and its admin endpoints."""

    url: str
    ca_file: str

    def requests(self) -> int:
        """Return how many token requests the emulator has received."""
        context = ssl.create_default_context(cafile=self.ca_file)
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
        with opener.open(self.url + "/_emulator/stats", timeout=10) as response:
            stats: dict[str, Any] = json.load(response)
        count: int = stats["requests"]
        return count

    def client(self, **settings: Any) -> sethealth.Client:
        """Build a client of this emulator's service account."""
        return sethealth.Client(KEY, SECRET, api_url=self.url, ca_file=self.ca_file, **settings)


@contextmanager
def start_emulator(binary: Path) -> Iterator[Emulator]:
    """Start the emulator on 127.0.0.1 with an OS-chosen port; stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="sethealth-bench-") as workdir:
        ready = Path(workdir) / "ready.json"
        log = (Path(workdir) / "emulator.log").open("wb")
        process = subprocess.Popen(
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--account",
                f"{KEY}:{SECRET}",
                "--ca-out",
                str(Path(workdir) / "ca.pem"),
                "--ready-file",
                str(ready),
                # Per-request log lines would add the emulator's writes to every call.
                "--log-level",
                "warn",
            ],
            stdout=log,
            stderr=log,
        )
        try:
            give_up = time.monotonic() + READY_TIMEOUT
            while not ready.exists():
                if process.poll() is not None:
                    raise RuntimeError(f"the emulator exited early with status {process.returncode}")
                if time.monotonic() > give_up:
                    raise RuntimeError(f"the emulator did not become ready within {READY_TIMEOUT} s")
                time.sleep(0.05)
            info = json.loads(ready.read_text())
            yield Emulator(info["url"], info["ca_file"])
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def measure(call: Callable[[], object], warmup_seconds: float, rounds: int, round_seconds: float) -> float:
    """Return the median over ``rounds`` of the mean time of ``call``, in ns.

    The clock is read once per batch of calls, because reading it per call
    would add its own cost to calls that take a few microseconds. The
    warm-up sizes a batch to take about ``BATCH_NS``.
    """
    calls = 0
    started = time.perf_counter_ns()
    warmup_ns = int(warmup_seconds * 1e9)
    while time.perf_counter_ns() - started < warmup_ns:
        call()
        calls += 1
    per_call_ns = (time.perf_counter_ns() - started) / max(calls, 1)
    batch = max(1, int(BATCH_NS / per_call_ns))

    means = []
    round_ns = int(round_seconds * 1e9)
    for _ in range(rounds):
        calls = 0
        started = time.perf_counter_ns()
        elapsed = 0
        while elapsed < round_ns:
            for _ in range(batch):
                call()
            calls += batch
            elapsed = time.perf_counter_ns() - started
        means.append(elapsed / calls)
    return statistics.median(means)


def run(emulator: Emulator, warmup_seconds: float, rounds: int, round_seconds: float) -> list[dict[str, Any]]:
    """Run the three benchmarks and check that each went upstream as expected."""
    results = []

    cached = emulator.client()
    cached.get_token()
    before = emulator.requests()
    ns = measure(cached.get_token, warmup_seconds, rounds, round_seconds)
    if emulator.requests() != before:
        raise RuntimeError("cache_hit: a cached call reached the emulator; the cache is not in use")
    results.append({"name": "cache_hit", "ns_per_op": ns})

    uncached = emulator.client(cache=False)
    before = emulator.requests()
    ns = measure(uncached.get_token, warmup_seconds, rounds, round_seconds)
    if emulator.requests() == before:
        raise RuntimeError("mint_reused_connection: no call reached the emulator")
    results.append({"name": "mint_reused_connection", "ns_per_op": ns})

    def mint_with_new_client() -> object:
        return emulator.client(cache=False).get_token()

    ns = measure(mint_with_new_client, warmup_seconds, rounds, round_seconds)
    results.append({"name": "mint_new_connection", "ns_per_op": ns})
    return results


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark token calls of the installed sethealth package against a local emulator."
    )
    parser.add_argument(
        "--emulator",
        type=Path,
        default=os.environ.get("SETHEALTH_EMULATOR_BIN"),
        help="the sethealth-emulator binary (default: $SETHEALTH_EMULATOR_BIN)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=os.environ.get("SETHEALTH_BENCH_OUTPUT"),
        help="the JSON file to write, such as build/bench/python.json (default: $SETHEALTH_BENCH_OUTPUT)",
    )
    parser.add_argument("--warmup-seconds", type=float, default=0.5, help="warm-up per benchmark, in seconds")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per benchmark")
    parser.add_argument("--round-seconds", type=float, default=1.0, help="duration of one round, in seconds")
    arguments = parser.parse_args()
    if arguments.emulator is None or arguments.output is None:
        parser.error("pass --emulator and --output, or set SETHEALTH_EMULATOR_BIN and SETHEALTH_BENCH_OUTPUT")
    if not arguments.emulator.is_file():
        parser.error(f"the emulator {arguments.emulator} does not exist; build it with 'make build'")
    if arguments.rounds < 1 or arguments.round_seconds <= 0 or arguments.warmup_seconds <= 0:
        parser.error("--rounds must be at least 1, and the durations must be positive")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    with start_emulator(arguments.emulator) as emulator:
        results = run(emulator, arguments.warmup_seconds, arguments.rounds, arguments.round_seconds)

    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n")
    for row in results:
        print(f"python {row['name']:<24} {row['ns_per_op'] / 1000:>10.1f} µs per call")
    print(f"bench_token: wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
