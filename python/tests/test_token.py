"""The typed API: options on the wire, the Token object and the cache."""

from __future__ import annotations

import platform
from datetime import datetime, timedelta, timezone

import pytest
from support import KEY, SECRET, Emulator, jwt_claims

import sethealth


def test_default_request_matches_protocol(client: sethealth.Client, emulator: Emulator) -> None:
    client.get_token()

    recorded = emulator.requests()[-1]
    assert recorded["method"] == "POST"
    assert recorded["path"] == "/token"
    assert recorded["headers"]["content-type"] == "application/json; charset=utf-8"
    assert recorded["secret_ok"] is True
    assert recorded["body"].index('"id"') < recorded["body"].index('"secret"')
    assert emulator.last_body() == {
        "id": KEY,
        "secret": "<redacted>",
        "test-mode": False,
        "expires-in": 0,
        "user-id": "",
    }


def test_user_agent_names_python_version(client: sethealth.Client, emulator: Emulator) -> None:
    client.get_token()

    major, minor, _ = platform.python_version_tuple()
    user_agent = emulator.requests()[-1]["headers"]["user-agent"]
    assert user_agent.startswith("sethealth-core/")
    assert user_agent.endswith(f" python/{major}.{minor}")


@pytest.mark.parametrize(
    ("options", "body"),
    [
        ({"user_id": "patient-42"}, {"user-id": "patient-42"}),
        ({"test_mode": True}, {"test-mode": True}),
        ({"expires_in": 90}, {"expires-in": 90 * 10**9}),
        ({"expires_in": 0.5}, {"expires-in": 500_000_000}),
        ({"expires_in": timedelta(hours=2)}, {"expires-in": 7200 * 10**9}),
        ({"expires_in": 0}, {"expires-in": 0}),
    ],
)
def test_option_on_the_wire(
    client: sethealth.Client, emulator: Emulator, options: dict[str, object], body: dict[str, object]
) -> None:
    client.get_token(**options)  # type: ignore[arg-type]

    sent = emulator.last_body()
    for member, value in body.items():
        assert sent[member] == value


def test_token_claims_follow_options(client: sethealth.Client, emulator: Emulator) -> None:
    before = datetime.now(timezone.utc)

    token = client.get_token(user_id="patient-42", expires_in=1800, test_mode=True)

    claims = jwt_claims(token.token)
    assert claims["sub"] == "patient-42"
    assert claims["sa"] == KEY
    assert claims["test"] is True
    assert token.expiry_source == "claim"
    assert token.expires_at == datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    assert timedelta(minutes=29) < token.expires_at - before < timedelta(minutes=31)


def test_token_value_and_timestamps(client: sethealth.Client, emulator: Emulator) -> None:
    before = datetime.now(timezone.utc)

    token = client.get_token()

    assert token.value == token.token == str(token)
    assert token.token.count(".") == 2
    assert token.issued_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= token.issued_at <= datetime.now(timezone.utc)
    assert token.expires_at is not None
    assert token.expires_at > token.issued_at


def test_token_repr_hides_value(client: sethealth.Client, emulator: Emulator) -> None:
    token = client.get_token()

    assert token.token not in repr(token)
    assert "expires_at=" in repr(token)


def test_second_call_uses_cache(client: sethealth.Client, emulator: Emulator) -> None:
    first = client.get_token(user_id="patient-42")
    second = client.get_token(user_id="patient-42")

    assert second.token == first.token
    assert emulator.stats()["requests"] == 1
    assert client.cached_tokens() == 1


def test_fresh_bypasses_cache(client: sethealth.Client, emulator: Emulator) -> None:
    first = client.get_token()
    fresh = client.get_token(fresh=True)
    after = client.get_token()

    assert fresh.token != first.token
    assert after.token == fresh.token
    assert emulator.stats()["requests"] == 2


def test_options_are_separate_cache_entries(client: sethealth.Client, emulator: Emulator) -> None:
    client.get_token(user_id="a")
    client.get_token(user_id="b")
    client.get_token(user_id="a", test_mode=True)

    assert emulator.stats()["requests"] == 3
    assert client.cached_tokens() == 3


def test_invalidate_drops_one_entry(client: sethealth.Client, emulator: Emulator) -> None:
    client.get_token(user_id="a", expires_in=600)
    client.get_token(user_id="b")

    client.invalidate(user_id="a", expires_in=600)
    client.get_token(user_id="a", expires_in=600)
    client.get_token(user_id="b")

    assert emulator.stats()["requests"] == 3


def test_clear_cache_drops_every_entry(client: sethealth.Client, emulator: Emulator) -> None:
    client.get_token(user_id="a")
    client.get_token(user_id="b")

    client.clear_cache()

    assert client.cached_tokens() == 0
    client.get_token(user_id="a")
    assert emulator.stats()["requests"] == 3


def test_cache_disabled_requests_every_time(emulator: Emulator) -> None:
    client = sethealth.Client(KEY, SECRET, cache=False)

    client.get_token()
    client.get_token()

    assert emulator.stats()["requests"] == 2
    assert client.cached_tokens() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"user_id": 42}, "user_id must be a str"),
        ({"test_mode": "false"}, "test_mode must be True or False"),
        ({"fresh": 1}, "fresh must be True or False"),
        ({"expires_in": "30m"}, "expires_in must be a number of seconds"),
        ({"expires_in": True}, "expires_in must be a number of seconds"),
    ],
)
def test_wrong_option_type_is_type_error(
    client: sethealth.Client, emulator: Emulator, options: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        client.get_token(**options)  # type: ignore[arg-type]
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"expires_in": -1}, "expires_in=-1"),
        ({"expires_in": float("nan")}, "expires_in=NaN"),
        ({"expires_in": 10**400}, "expires_in=inf"),
        ({"user_id": "bad\nid"}, "control character"),
        ({"user_id": "x" * 1025}, "1025 bytes"),
    ],
)
def test_invalid_option_is_invalid_argument(
    client: sethealth.Client, emulator: Emulator, options: dict[str, object], fragment: str
) -> None:
    with pytest.raises(sethealth.InvalidArgumentError) as raised:
        client.get_token(**options)  # type: ignore[arg-type]

    assert fragment in raised.value.message
    assert raised.value.kind == "invalid_argument"
    assert emulator.stats()["requests"] == 0


def test_lifetime_beyond_wire_range_is_invalid_argument(client: sethealth.Client, emulator: Emulator) -> None:
    with pytest.raises(sethealth.InvalidArgumentError, match="64-bit nanoseconds"):
        client.get_token(expires_in=timedelta(days=365 * 300))
    assert emulator.stats()["requests"] == 0
