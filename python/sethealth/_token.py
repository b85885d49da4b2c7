"""The access token returned by :meth:`sethealth.Client.get_token`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

__all__ = ["Token"]

#: The native module's token: value, issued-at and expires-at in Unix
#: seconds, and the source of the expiry.
RawToken = tuple[str, float, Optional[float], str]


class Token:
    """A short-lived access token for the Sethealth browser SDK.

    ``str(token)`` is the token itself, to hand to the browser. ``repr`` never
    shows it, so a token can be logged by accident without leaking.

    Attributes:
        issued_at: When the request for this token was sent (aware, UTC).
        expires_at: When the token expires (aware, UTC), or ``None`` when
            neither the token nor the request states it.
        expiry_source: Where ``expires_at`` comes from: ``"claim"`` (the
            token's ``exp`` claim, read but not verified), ``"requested"``
            (the ``expires_in`` asked for) or ``"assumed"`` (unknown).
    """

    __slots__ = ("_value", "expires_at", "expiry_source", "issued_at")

    def __init__(
        self,
        value: str,
        issued_at: datetime,
        expires_at: Optional[datetime] = None,
        expiry_source: str = "assumed",
    ) -> None:
        self._value = value
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.expiry_source = expiry_source

    @classmethod
    def _from_native(cls, raw: RawToken) -> Token:
        value, issued_at, expires_at, expiry_source = raw
        return cls(
            value,
            datetime.fromtimestamp(issued_at, tz=timezone.utc),
            None if expires_at is None else datetime.fromtimestamp(expires_at, tz=timezone.utc),
            expiry_source,
        )

    @property
    def token(self) -> str:
        """The token to hand to the browser SDK."""
        return self._value

    @property
    def value(self) -> str:
        """The token to hand to the browser SDK; the same as :attr:`token`."""
        return self._value

    def __str__(self) -> str:
        return self._value

    def __repr__(self) -> str:
        expires_at = None if self.expires_at is None else self.expires_at.isoformat()
        return (
            f"Token(issued_at={self.issued_at.isoformat()!r}, expires_at={expires_at!r}, "
            f"expiry_source={self.expiry_source!r})"
        )
