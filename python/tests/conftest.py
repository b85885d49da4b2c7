"""Fixtures: one emulator process per test session, over HTTPS on loopback.

The emulator binary comes from ``SETHEALTH_EMULATOR_BIN``, else from
``<SETHEALTH_REPO>/target/debug/sethealth-emulator``. The make rule sets both
because the tests run from outside the source tree, against the installed
wheel. Every test starts with the ``SETHEALTH_*`` variables pointing at the
emulator and no credentials in the environment, so no test can reach the
real service by accident.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import KEY, SECRET, Emulator

import sethealth

#: The maximum time the emulator may take to write its ready file, in seconds.
READY_TIMEOUT = 20.0


def _emulator_binary() -> Path:
    explicit = os.environ.get("SETHEALTH_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    repo = os.environ.get("SETHEALTH_REPO")
    if not repo:
        pytest.exit("set SETHEALTH_REPO to the repository root (make test-python does)", returncode=2)
    return Path(repo) / "target" / "debug" / "sethealth-emulator"


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[Emulator]:
    binary = _emulator_binary()
    if not binary.is_file():
        pytest.exit(f"the emulator {binary} is missing; run 'make build' first", returncode=2)

    with tempfile.TemporaryDirectory(prefix="sethealth-pytest-") as workdir:
        ready = Path(workdir) / "ready.json"
        log = (Path(workdir) / "emulator.log").open("wb")
        process = subprocess.Popen(
            [
                str(binary),
                "--account",
                f"{KEY}:{SECRET}",
                "--ca-out",
                str(Path(workdir) / "ca.pem"),
                "--ready-file",
                str(ready),
            ],
            stdout=log,
            stderr=log,
        )
        try:
            give_up = time.monotonic() + READY_TIMEOUT
            while not ready.exists():
                if process.poll() is not None:
                    pytest.exit(f"the emulator exited early with status {process.returncode}", returncode=2)
                if time.monotonic() > give_up:
                    pytest.exit(f"the emulator did not become ready within {READY_TIMEOUT} s", returncode=2)
                time.sleep(0.05)
            info = json.loads(ready.read_text())
            yield Emulator(info["url"], info["ca_file"])
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    """The session's emulator with no faults, counters or recorded requests."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture(autouse=True)
def emulator_environment(monkeypatch: pytest.MonkeyPatch, emulator_process: Emulator) -> None:
    """Point the SETHEALTH_* variables at the emulator and unset the credentials."""
    for variable in ("SETHEALTH_KEY", "SETHEALTH_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("SETHEALTH_API_URL", emulator_process.url)
    monkeypatch.setenv("SETHEALTH_CA_FILE", emulator_process.ca_file)


@pytest.fixture
def client(emulator: Emulator) -> sethealth.Client:
    """A client of the emulator's service account, with default settings."""
    return sethealth.Client(KEY, SECRET)


@pytest.fixture
def subprocess_env(emulator: Emulator) -> dict[str, str]:
    """An environment for a child Python with the emulator's account and CA."""
    env = dict(os.environ)
    env.update(
        SETHEALTH_KEY=KEY,
        SETHEALTH_SECRET=SECRET,
        SETHEALTH_API_URL=emulator.url,
        SETHEALTH_CA_FILE=emulator.ca_file,
    )
    return env
