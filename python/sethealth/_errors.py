"""The exception hierarchy, one class per error kind of the core.

Every failure of a token request is an :class:`AuthException` (or a subclass),
so code written for the old package keeps catching everything with
``except sethealth.AuthException``. Bad input and configuration are
:class:`InputException` subclasses. Both legacy classes derive from
:class:`SethealthError`. Messages are full sentences that name the value and
the fix; they never contain the service-account secret.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

__all__ = [
    "AuthException",
    "BadResponseError",
    "InputException",
    "InternalError",
    "InvalidArgumentError",
    "InvalidConfigError",
    "MissingCredentialsError",
    "NetworkError",
    "RateLimitedError",
    "RejectedError",
    "ServerError",
    "SethealthError",
    "SethealthTimeoutError",
    "TLSError",
    "error_from_core",
]


class SethealthError(Exception):
    """The base of every exception this package raises.

    Attributes:
        message: What failed, on which value, and what to do next.
        kind: The core's error kind, such as ``"rejected"``.
        code: The core's stable numeric code of the kind, 1 to 12; 0 for an
            exception built by hand without one.
        status_code: The HTTP status of the response that caused the error,
            or ``None``.
        retryable: Whether the same call may succeed later.
        retry_after: The delay in seconds that the server asked for in
            ``Retry-After``, or ``None``.
        attempts: How many HTTP attempts were made; 0 when the error came
            before anything was sent.
    """

    kind: str = "unknown"
    code: int = 0
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[str] = None,
        code: Optional[int] = None,
        status_code: Optional[int] = None,
        retryable: Optional[bool] = None,
        retry_after: Optional[float] = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        details = [repr(self.message), f"kind={self.kind!r}", f"code={self.code}"]
        if self.status_code is not None:
            details.append(f"status_code={self.status_code}")
        if self.retry_after is not None:
            details.append(f"retry_after={self.retry_after}")
        return f"{type(self).__name__}({', '.join(details)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException pickles only ``args``; the keyword fields travel in the state.
        return (type(self), (self.message,), self.__dict__.copy())


class InputException(SethealthError):  # noqa: N818 - the legacy name, kept from sethealth 1.8.0
    """Bad input or configuration, found before anything is sent.

    The legacy name, kept from sethealth 1.8.0: ``InputException(message)``
    still works and ``.message`` contains the text.
    """


class AuthException(SethealthError):  # noqa: N818 - the legacy name, kept from sethealth 1.8.0
    """A failed token request, of any cause.

    The legacy name, kept from sethealth 1.8.0: ``AuthException(message)``
    still works and ``.message`` contains the text.
    """


class MissingCredentialsError(InputException, AuthException):
    """The key or the secret is missing or empty; the message names the variable.

    The constructor raises it when a credential is neither passed nor set in
    the environment. A credential set to an empty string is accepted by the
    constructor, as it was by the legacy package, and the token call raises
    this error instead, without sending anything.
    """

    kind = "missing_credentials"
    code = 1


class InvalidArgumentError(InputException, ValueError):
    """An invalid argument, such as a negative lifetime or a control character."""

    kind = "invalid_argument"
    code = 2


class InvalidConfigError(InputException):
    """An invalid setting: a bad API URL, ``http://`` to a non-loopback host,
    an unreadable CA file, or a timeout that is not positive."""

    kind = "invalid_config"
    code = 3


class RejectedError(AuthException):
    """The server rejected the request (400, 401, 403, 404, 415): usually
    wrong credentials."""

    kind = "rejected"
    code = 4


class RateLimitedError(AuthException):
    """The server responded with HTTP 429; ``retry_after`` carries its ``Retry-After``."""

    kind = "rate_limited"
    code = 5
    retryable = True


class ServerError(AuthException):
    """The server failed (5xx) or timed out the request (408)."""

    kind = "server"
    code = 6
    retryable = True


class SethealthTimeoutError(AuthException, TimeoutError):
    """A connect, attempt or overall deadline passed."""

    kind = "timeout"
    code = 7
    retryable = True


class NetworkError(AuthException, ConnectionError):
    """The connection failed: refused, reset, closed early, or DNS."""

    kind = "network"
    code = 8
    retryable = True


class TLSError(AuthException):
    """The TLS handshake failed, usually because the certificate is not trusted."""

    kind = "tls"
    code = 9


class BadResponseError(AuthException):
    """The response is unusable: not JSON, no ``token``, too large, or a redirect."""

    kind = "bad_response"
    code = 10


class InternalError(AuthException):
    """A bug in sethealth: a caught panic or a broken invariant."""

    kind = "internal"
    code = 12


#: The core's error code 11, a cancelled call, is raised as
#: :class:`asyncio.CancelledError` (asyncio) or ``KeyboardInterrupt`` (Ctrl-C).
CANCELLED_CODE = 11

_CLASSES_BY_CODE: dict[int, type[SethealthError]] = {
    cls.code: cls
    for cls in (
        MissingCredentialsError,
        InvalidArgumentError,
        InvalidConfigError,
        RejectedError,
        RateLimitedError,
        ServerError,
        SethealthTimeoutError,
        NetworkError,
        TLSError,
        BadResponseError,
        InternalError,
    )
}


def error_from_core(
    code: int,
    kind: str,
    message: str,
    status_code: Optional[int],
    retry_after: Optional[float],
    retryable: bool,
    attempts: int,
) -> BaseException:
    """Build the exception for an error of the core. Called by the native module.

    Args:
        code: The core's error code, 1 to 12.
        kind: The core's snake_case kind name.
        message: The core's message.
        status_code: The HTTP status, or None.
        retry_after: The server's ``Retry-After`` in seconds, or None.
        retryable: Whether the call may succeed later.
        attempts: How many HTTP attempts were made.

    Returns:
        An instance of the class for ``code``, or :class:`asyncio.CancelledError`
        for a cancelled call. A code that this version does not know gets an
        :class:`AuthException`, so ``except AuthException`` still catches it.
    """
    if code == CANCELLED_CODE:
        return asyncio.CancelledError(message)
    cls = _CLASSES_BY_CODE.get(code, AuthException)
    return cls(
        message,
        kind=kind,
        code=code,
        status_code=status_code,
        retryable=retryable,
        retry_after=retry_after,
        attempts=attempts,
    )
