"""Type stubs of the private native module ``sethealth._native`` (pyo3).

Use the public API of :mod:`sethealth` instead of this module.
"""

from collections.abc import Callable
from typing import final

__all__ = [
    "CORE_VERSION",
    "DEFAULT_API_URL",
    "ERROR_KINDS",
    "NativeClient",
    "PendingCall",
    "mark_interpreter_exit",
]

#: A token: value, issued-at and expires-at in Unix seconds, and the expiry's source.
_RawToken = tuple[str, float, float | None, str]

#: The core's version, such as ``"0.1.0"``.
CORE_VERSION: str
#: The default base URL, ``"https://api.set.health"``.
DEFAULT_API_URL: str
#: Every error kind of the core as ``(code, kind, retryable)``, in code order.
ERROR_KINDS: list[tuple[int, str, bool]]

@final
class NativeClient:
    """The native half of ``sethealth.Client``; thread-safe."""

    def __new__(
        cls,
        key: str | None = None,
        secret: str | None = None,
        *,
        api_url: str | None = None,
        ca_file: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        attempt_timeout: float | None = None,
        max_attempts: int | None = None,
        retry_base_delay: float | None = None,
        retry_max_delay: float | None = None,
        cache: bool | None = None,
        cache_capacity: int | None = None,
        cache_min_remaining_fraction: float | None = None,
        cache_min_remaining: float | None = None,
        cache_assumed_lifetime: float | None = None,
    ) -> NativeClient:
        """Build the client; the core reads the environment now.

        Durations are in seconds. None leaves a setting at the core's
        default; ``sethealth.Client`` documents each one.

        Raises:
            sethealth.MissingCredentialsError: A credential is unset.
            sethealth.InvalidArgumentError: A credential has a control character.
            sethealth.InvalidConfigError: A setting is invalid.
        """

    @property
    def key(self) -> str:
        """The key, trimmed; empty when it was set empty."""

    @property
    def secret(self) -> str:
        """The secret, trimmed. Never log or display it."""

    @property
    def api_url(self) -> str:
        """The base URL that tokens are requested from."""

    def get_token(
        self,
        *,
        user_id: str | None = None,
        expires_in: float | None = None,
        test_mode: bool = False,
        fresh: bool = False,
    ) -> _RawToken:
        """Request a token, blocking with the GIL released; Ctrl-C interrupts it.

        Raises:
            sethealth.SethealthError: A subclass for the core's error kind.
            KeyboardInterrupt: A signal handler raised it while waiting.
        """

    def start_get_token(
        self,
        event_loop: object,
        callback: Callable[[_RawToken | None, BaseException | None], object],
        *,
        user_id: str | None = None,
        expires_in: float | None = None,
        test_mode: bool = False,
        fresh: bool = False,
    ) -> PendingCall:
        """Start a token request and return at once.

        On completion ``event_loop.call_soon_threadsafe(callback, token, None)``
        or ``(callback, None, exception)`` runs.

        Raises:
            sethealth.SethealthError: Before starting, for an empty credential
                or a negative ``expires_in``.
        """

    def invalidate(
        self,
        *,
        user_id: str | None = None,
        expires_in: float | None = None,
        test_mode: bool = False,
    ) -> None:
        """Drop the cached token for these options."""

    def clear_cache(self) -> None:
        """Drop every cached token of this client."""

    def cached_tokens(self) -> int:
        """Return how many tokens this client has cached."""

@final
class PendingCall:
    """A token request started by :meth:`NativeClient.start_get_token`."""

    def cancel(self) -> None:
        """Abort the request task; the callback then never runs.

        With the cache on, the HTTP request is aborted too, unless other
        callers still wait on it.
        """

def mark_interpreter_exit() -> None:
    """Mark the interpreter as exiting; registered with ``atexit`` by the package."""
