"""Each error kind of the core raises its class, with its attributes, and
never shows the secret."""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from support import KEY, SECRET, Emulator, closed_port

import sethealth
from sethealth import _errors, _native


@dataclass
class FailureCase:
    """A way to make a token call fail, and the exception it must raise."""

    name: str
    cls: type[sethealth.SethealthError]
    kind: str
    code: int
    status_code: int | None
    retryable: bool
    faults: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    message_fragment: str = ""


FAILURES = [
    FailureCase(
        "wrong secret",
        sethealth.RejectedError,
        "rejected",
        4,
        401,
        False,
        settings={"secret": "not-the-secret"},
        message_fragment=KEY,
    ),
    FailureCase(
        "rate limited too long",
        sethealth.RateLimitedError,
        "rate_limited",
        5,
        429,
        True,
        faults=[{"kind": "status", "status": 429, "retry_after": "3600", "count": 3}],
        message_fragment="Retry-After",
    ),
    FailureCase(
        "server error",
        sethealth.ServerError,
        "server",
        6,
        503,
        True,
        faults=[{"kind": "status", "status": 503, "count": 3}],
        settings={"max_attempts": 2},
        message_fragment="gave up after 2 attempts",
    ),
    FailureCase(
        "stall",
        sethealth.SethealthTimeoutError,
        "timeout",
        7,
        None,
        True,
        faults=[{"kind": "stall", "count": 3}],
        settings={"timeout": 1.0},
        message_fragment="raise the timeout",
    ),
    FailureCase(
        "closed connection",
        sethealth.NetworkError,
        "network",
        8,
        None,
        True,
        faults=[{"kind": "close_before_response", "count": 3}],
        settings={"max_attempts": 1},
    ),
    FailureCase(
        "malformed json",
        sethealth.BadResponseError,
        "bad_response",
        10,
        None,
        False,
        faults=[{"kind": "malformed_json"}],
    ),
    FailureCase(
        "no token",
        sethealth.BadResponseError,
        "bad_response",
        10,
        None,
        False,
        faults=[{"kind": "no_token"}],
        message_fragment="token",
    ),
    FailureCase(
        "oversized",
        sethealth.BadResponseError,
        "bad_response",
        10,
        None,
        False,
        faults=[{"kind": "oversized", "bytes": 70000}],
    ),
    FailureCase(
        "redirect",
        sethealth.BadResponseError,
        "bad_response",
        10,
        307,
        False,
        faults=[{"kind": "redirect", "status": 307, "location": "https://127.0.0.1:1/token"}],
        message_fragment="redirect",
    ),
]


def _failing_client(case: FailureCase, emulator: Emulator) -> sethealth.Client:
    for fault in case.faults:
        emulator.fault(**fault)
    settings = {"key": KEY, "secret": SECRET, **case.settings}
    return sethealth.Client(**settings)


@pytest.mark.parametrize("case", FAILURES, ids=lambda case: case.name)
def test_failure_raises_its_class(case: FailureCase, emulator: Emulator) -> None:
    client = _failing_client(case, emulator)

    with pytest.raises(case.cls) as raised:
        client.get_token()

    error = raised.value
    assert type(error) is case.cls
    assert isinstance(error, sethealth.AuthException)
    assert isinstance(error, sethealth.SethealthError)
    assert error.kind == case.kind
    assert error.code == case.code
    assert error.retryable is case.retryable
    assert error.status_code == case.status_code
    assert case.message_fragment in error.message
    assert error.attempts >= 1
    assert SECRET not in str(error)
    assert SECRET not in repr(error)


@pytest.mark.parametrize("case", FAILURES, ids=lambda case: case.name)
def test_async_failure_raises_same_class(case: FailureCase, emulator: Emulator) -> None:
    client = _failing_client(case, emulator)

    with pytest.raises(case.cls) as raised:
        asyncio.run(client.get_token_async())

    assert raised.value.kind == case.kind
    assert raised.value.code == case.code
    assert raised.value.status_code == case.status_code


def test_rate_limit_beyond_deadline_fails_at_once(emulator: Emulator) -> None:
    emulator.fault(kind="status", status=429, retry_after="3600", count=3)
    client = sethealth.Client(KEY, SECRET)

    started = time.monotonic()
    with pytest.raises(sethealth.RateLimitedError) as raised:
        client.get_token()
    elapsed = time.monotonic() - started

    assert raised.value.retry_after == 3600.0
    assert raised.value.status_code == 429
    assert raised.value.attempts == 1
    assert emulator.stats()["requests"] == 1
    assert elapsed < 2


def test_timeout_is_builtin_timeout_error(emulator: Emulator) -> None:
    emulator.fault(kind="stall", count=3)

    with pytest.raises(TimeoutError):
        sethealth.Client(KEY, SECRET, timeout=0.5).get_token()


def test_refused_port_is_network_error(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET, api_url=f"https://127.0.0.1:{closed_port()}", max_attempts=1)

    with pytest.raises(sethealth.NetworkError) as raised:
        client.get_token()

    assert isinstance(raised.value, ConnectionError)
    assert raised.value.code == 8
    assert raised.value.retryable is True
    assert raised.value.status_code is None


def test_untrusted_certificate_is_tls_error(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    monkeypatch.delenv("SETHEALTH_CA_FILE")
    client = sethealth.Client(KEY, SECRET)

    with pytest.raises(sethealth.TLSError) as raised:
        client.get_token()

    assert raised.value.kind == "tls"
    assert raised.value.code == 9
    assert raised.value.retryable is False
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"api_url": "not a url"}, "not a url"),
        ({"api_url": "http://sethealth.invalid"}, "use https://"),
        ({"api_url": "ftp://127.0.0.1"}, "ftp"),
        ({"ca_file": "/nonexistent/ca.pem"}, "/nonexistent/ca.pem"),
        ({"timeout": 0}, "deadline is zero"),
        ({"timeout": -1}, "timeout=-1"),
        ({"connect_timeout": float("inf")}, "connect_timeout=inf"),
        ({"attempt_timeout": -0.5}, "attempt_timeout=-0.5"),
        ({"max_attempts": 0}, "max_attempts is 0"),
        ({"max_attempts": -2}, "max_attempts=-2"),
        ({"max_attempts": 10**30}, f"max_attempts={10**30} is out of range"),
        ({"retry_base_delay": -1}, "retry_base_delay=-1"),
        ({"retry_max_delay": float("nan")}, "retry_max_delay=NaN"),
        ({"retry_base_delay": 10}, "base delay 10s is longer than the maximum delay 5s"),
        ({"retry_base_delay": 2, "retry_max_delay": 1}, "base delay 2s is longer than the maximum delay 1s"),
        ({"cache_capacity": 0}, "cache capacity is 0"),
        ({"cache_capacity": -1}, "cache_capacity=-1 is out of range"),
        ({"cache_capacity": 10**30}, f"cache_capacity={10**30} is out of range"),
        ({"cache_min_remaining_fraction": 1.5}, "fraction 1.5 is outside 0.0 to 1.0"),
        ({"cache_min_remaining_fraction": -0.1}, "fraction -0.1 is outside 0.0 to 1.0"),
        ({"cache_min_remaining_fraction": float("nan")}, "fraction NaN is outside"),
        ({"cache_min_remaining": -30}, "cache_min_remaining=-30"),
        ({"cache_assumed_lifetime": 0}, "assumed token lifetime is zero"),
        ({"cache_assumed_lifetime": float("inf")}, "cache_assumed_lifetime=inf"),
    ],
)
def test_invalid_setting_is_invalid_config(settings: dict[str, Any], fragment: str) -> None:
    with pytest.raises(sethealth.InvalidConfigError) as raised:
        sethealth.Client(KEY, SECRET, **settings)

    assert fragment in raised.value.message
    assert isinstance(raised.value, sethealth.InputException)
    assert raised.value.code == 3
    assert raised.value.kind == "invalid_config"


def test_invalid_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETHEALTH_API_URL", "http://sethealth.invalid")

    with pytest.raises(sethealth.InvalidConfigError, match=r"sethealth\.invalid"):
        sethealth.Client(KEY, SECRET)


def test_control_character_in_key_is_invalid_argument() -> None:
    with pytest.raises(sethealth.InvalidArgumentError) as raised:
        sethealth.Client("sa_\x07bell", SECRET)

    assert isinstance(raised.value, ValueError)
    assert "control character" in raised.value.message


def test_secret_with_control_character_is_not_echoed() -> None:
    secret = SECRET + "\x01"

    with pytest.raises(sethealth.InvalidArgumentError) as raised:
        sethealth.Client(KEY, secret)

    assert SECRET not in str(raised.value)


def _raise_each_kind(emulator: Emulator) -> list[sethealth.SethealthError]:
    """Return one raised exception per failure case, plus three input errors."""
    raised: list[sethealth.SethealthError] = []

    def capture(call: Callable[[], object]) -> None:
        try:
            call()
        except sethealth.SethealthError as error:
            raised.append(error)
        else:
            pytest.fail("the call did not raise")

    for case in FAILURES:
        emulator.reset()
        capture(_failing_client(case, emulator).get_token)
    capture(lambda: sethealth.Client(KEY, "").get_token())
    capture(lambda: sethealth.Client(KEY, SECRET).get_token(expires_in=-1))
    capture(lambda: sethealth.Client(KEY, SECRET, api_url="not a url"))
    return raised


def test_every_error_pickles_with_attributes(emulator: Emulator) -> None:
    errors = _raise_each_kind(emulator)
    assert len(errors) == len(FAILURES) + 3

    for error in errors:
        data = pickle.dumps(error)
        copy = pickle.loads(data)
        assert type(copy) is type(error)
        for attribute in ("message", "kind", "code", "status_code", "retryable", "retry_after", "attempts"):
            assert getattr(copy, attribute) == getattr(error, attribute), attribute
        assert str(copy) == str(error)
        assert SECRET.encode() not in data


def test_hand_built_error_pickles() -> None:
    error = sethealth.SethealthTimeoutError("too slow", status_code=None, attempts=2)

    copy = pickle.loads(pickle.dumps(error))

    assert copy.message == "too slow"
    assert copy.attempts == 2
    assert copy.kind == "timeout"


def test_class_table_covers_every_core_kind() -> None:
    for code, kind, retryable in _native.ERROR_KINDS:
        error = _errors.error_from_core(code, kind, "message", None, None, retryable, 0)
        if kind == "cancelled":
            assert isinstance(error, asyncio.CancelledError)
            continue
        assert isinstance(error, sethealth.SethealthError)
        assert type(error).kind == kind, kind
        assert type(error).code == code, kind
        assert type(error).retryable is retryable, kind


def test_unknown_core_code_is_still_auth_exception() -> None:
    error = _errors.error_from_core(99, "future_kind", "message", None, None, False, 1)

    assert isinstance(error, sethealth.AuthException)
    assert error.kind == "future_kind"
    assert error.code == 99
