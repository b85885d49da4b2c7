"""The client: the legacy ``getToken`` and the typed sync and asyncio API."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, NoReturn, Optional, Union

from . import _log
from ._native import NativeClient
from ._options import (
    Seconds,
    check_bool,
    check_fraction,
    check_int,
    check_optional_bool,
    check_user_id,
    to_seconds,
)
from ._token import RawToken, Token

__all__ = ["Client"]


class Client:
    """Mints access tokens for one service account.

    A client has one HTTPS connection pool and one token cache. It is
    thread-safe and usable from asyncio: share one client rather than
    building one per call.

    An argument left at None takes the environment variable or the core's
    default named below. Durations are seconds as an int or float, or a
    :class:`datetime.timedelta`. The core validates every value when the
    client is built.

    Args:
        key: The service account's key (its id). Default: ``SETHEALTH_KEY``,
            read now.
        secret: The service account's secret. Default: ``SETHEALTH_SECRET``,
            read now.
        api_url: The base URL; tokens are requested from ``<api_url>/token``.
            Default: ``SETHEALTH_API_URL``, else ``https://api.set.health``.
        ca_file: A PEM file of extra trusted CA certificates. Default:
            ``SETHEALTH_CA_FILE``, else the system's roots only.
        timeout: The overall deadline of one call, covering every attempt and
            every wait between them. Default 30 s.
        connect_timeout: The TCP and TLS connect timeout of one attempt.
            Default 5 s.
        attempt_timeout: The timeout of one HTTP attempt, from sending the
            request to the last byte of the response. Default 15 s.
        max_attempts: Attempts in all, the first included; 1 disables
            retries. Only 408, 429, 5xx, timeouts and network failures are
            retried. Default 3.
        retry_base_delay: The maximum wait before the second attempt; the
            maximum doubles per attempt, and each wait is drawn at random
            from zero to it ("full jitter"). A ``Retry-After`` from the
            server replaces the drawn wait, or ends the call at once when it
            is longer than the time left before ``timeout``. Default 0.2 s.
        retry_max_delay: The cap on that maximum wait; at least
            ``retry_base_delay``. Default 5 s.
        cache: Whether tokens are cached and concurrent calls with equal
            options share one request. Default True.
        cache_capacity: The maximum number of cached tokens; the least
            recently used one is evicted. Default 1024.
        cache_min_remaining_fraction: The share of a token's lifetime, from
            0.0 to 1.0, that must be left for the cache to hand it out.
            Default 0.5.
        cache_min_remaining: The time that must be left on a token for the
            cache to hand it out, whatever its lifetime. Default 30 s.
        cache_assumed_lifetime: The lifetime assumed for a token that states
            none (not a JWT with ``exp``) when the call did not ask for one
            with ``expires_in``. Default 10 minutes.

    Raises:
        MissingCredentialsError: A credential is neither passed nor set in the
            environment; the message names the variable. It is an
            :class:`InputException`. A credential set to ``""`` constructs,
            and the token call raises instead.
        InvalidArgumentError: A credential contains a control character.
        InvalidConfigError: A setting is invalid, such as a bad URL, an
            unreadable CA file, a timeout that is not positive, a negative
            duration or count, or a base delay above the maximum delay.
        TypeError: An argument has the wrong type.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        key: Optional[str] = None,
        secret: Optional[str] = None,
        *,
        api_url: Optional[str] = None,
        ca_file: Union[str, os.PathLike[str], None] = None,
        timeout: Optional[Seconds] = None,
        connect_timeout: Optional[Seconds] = None,
        attempt_timeout: Optional[Seconds] = None,
        max_attempts: Optional[int] = None,
        retry_base_delay: Optional[Seconds] = None,
        retry_max_delay: Optional[Seconds] = None,
        cache: Optional[bool] = None,
        cache_capacity: Optional[int] = None,
        cache_min_remaining_fraction: Optional[float] = None,
        cache_min_remaining: Optional[Seconds] = None,
        cache_assumed_lifetime: Optional[Seconds] = None,
    ) -> None:
        self._native = NativeClient(
            key,
            secret,
            api_url=api_url,
            ca_file=None if ca_file is None else os.fspath(ca_file),
            timeout=to_seconds("timeout", timeout),
            connect_timeout=to_seconds("connect_timeout", connect_timeout),
            attempt_timeout=to_seconds("attempt_timeout", attempt_timeout),
            max_attempts=check_int("max_attempts", max_attempts),
            retry_base_delay=to_seconds("retry_base_delay", retry_base_delay),
            retry_max_delay=to_seconds("retry_max_delay", retry_max_delay),
            cache=check_optional_bool("cache", cache),
            cache_capacity=check_int("cache_capacity", cache_capacity),
            cache_min_remaining_fraction=check_fraction(
                "cache_min_remaining_fraction", cache_min_remaining_fraction
            ),
            cache_min_remaining=to_seconds("cache_min_remaining", cache_min_remaining),
            cache_assumed_lifetime=to_seconds("cache_assumed_lifetime", cache_assumed_lifetime),
        )

    @property
    def key(self) -> str:
        """The service account's key (its id), trimmed. Not secret."""
        return self._native.key

    @property
    def secret(self) -> str:
        """The service account's secret, trimmed. Never log or display it."""
        return self._native.secret

    @property
    def api_url(self) -> str:
        """The base URL that tokens are requested from."""
        return self._native.api_url

    def getToken(  # noqa: N802 - the legacy name, kept from sethealth 1.8.0
        self,
        *,
        test_mode: bool = False,
        expires_in: Optional[Seconds] = None,
        user_id: Optional[str] = None,
    ) -> str:
        """Return an access token as a string: the legacy API of sethealth 1.8.0.

        Unlike the old package, the options are sent. The token may come
        from the cache; see :meth:`get_token`.

        Args:
            test_mode: Ask for a test-mode token.
            expires_in: The requested lifetime in seconds (or a timedelta);
                None or 0 lets the server choose.
            user_id: The end user the token is minted for.

        Returns:
            The token.

        Raises:
            AuthException: The request failed, whatever the cause; the
                subclass names the cause (see :meth:`get_token`).
            InputException: An option is invalid.
            TypeError: An unknown keyword, or an option of the wrong type.
        """
        return self.get_token(user_id=user_id, expires_in=expires_in, test_mode=test_mode).token

    def get_token(
        self,
        *,
        user_id: Optional[str] = None,
        expires_in: Optional[Seconds] = None,
        test_mode: bool = False,
        fresh: bool = False,
    ) -> Token:
        """Return an access token: a cached one with enough of its lifetime
        left (see ``cache_min_remaining_fraction``), else a new one.

        Concurrent calls with equal options, from threads or asyncio, share
        one request. Blocks with the GIL released, so other threads run
        meanwhile. Ctrl-C interrupts the call within a fraction of a second
        and raises ``KeyboardInterrupt``. The HTTP request is aborted too,
        unless other calls still wait on it.

        Args:
            user_id: The end user the token is minted for. Default none.
            expires_in: The requested lifetime in seconds (or a timedelta);
                None or 0 lets the server choose.
            test_mode: Ask for a test-mode token.
            fresh: Skip the cache and replace its entry with the new token.

        Returns:
            The token with its expiry.

        Raises:
            MissingCredentialsError: The key or the secret is empty.
            InvalidArgumentError: ``expires_in`` is negative, or ``user_id``
                is too long or contains a control character.
            RejectedError: The server rejected the request (wrong credentials).
            RateLimitedError: The server responded with HTTP 429.
            ServerError: The server failed (5xx or 408).
            SethealthTimeoutError: A deadline passed (also a TimeoutError).
            NetworkError: The connection failed (also a ConnectionError).
            TLSError: The server's certificate is not trusted.
            BadResponseError: The response has no usable token.
            InternalError: A bug in sethealth.
            TypeError: An option has the wrong type.
        """
        options = _token_options(user_id, expires_in, test_mode, fresh)
        started = time.monotonic()
        try:
            raw = self._native.get_token(**options)
        except BaseException as error:
            _log.log_failure("get_token", self.key, options, started, error)
            raise
        token = Token._from_native(raw)
        _log.log_success("get_token", self.key, options, started, token)
        return token

    async def get_token_async(
        self,
        *,
        user_id: Optional[str] = None,
        expires_in: Optional[Seconds] = None,
        test_mode: bool = False,
        fresh: bool = False,
    ) -> Token:
        """Return an access token without blocking the event loop.

        The same as :meth:`get_token`, run as a task on the core's runtime.
        Cancelling the awaiting task raises :class:`asyncio.CancelledError`
        and aborts the HTTP request, unless other calls still wait on it:
        a shared request goes on for them.

        Args:
            user_id: As :meth:`get_token`.
            expires_in: As :meth:`get_token`.
            test_mode: As :meth:`get_token`.
            fresh: As :meth:`get_token`.

        Returns:
            The token with its expiry.

        Raises:
            The exceptions of :meth:`get_token`, and
            :class:`asyncio.CancelledError` when cancelled.
        """
        options = _token_options(user_id, expires_in, test_mode, fresh)
        started = time.monotonic()
        try:
            raw = await self._await_native(options)
        except BaseException as error:
            _log.log_failure("get_token_async", self.key, options, started, error)
            raise
        token = Token._from_native(raw)
        _log.log_success("get_token_async", self.key, options, started, token)
        return token

    async def _await_native(self, options: dict[str, Any]) -> RawToken:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[RawToken] = loop.create_future()

        def resolve(raw: Optional[RawToken], error: Optional[BaseException]) -> None:
            # Runs on the loop's thread, scheduled by the native task.
            if future.done():
                return
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            elif error is not None:
                future.set_exception(error)
            elif raw is not None:
                future.set_result(raw)

        call = self._native.start_get_token(loop, resolve, **options)
        try:
            return await future
        finally:
            call.cancel()

    def invalidate(
        self,
        *,
        user_id: Optional[str] = None,
        expires_in: Optional[Seconds] = None,
        test_mode: bool = False,
    ) -> None:
        """Drop the cached token for these options, such as one the browser
        reported as rejected. The next call with them mints a new token.

        Raises:
            InvalidArgumentError: ``expires_in`` is negative.
            TypeError: An option has the wrong type.
        """
        self._native.invalidate(
            user_id=check_user_id(user_id),
            expires_in=to_seconds("expires_in", expires_in),
            test_mode=check_bool("test_mode", test_mode),
        )

    def clear_cache(self) -> None:
        """Drop every cached token of this client."""
        self._native.clear_cache()

    def cached_tokens(self) -> int:
        """Return how many tokens this client has cached."""
        return self._native.cached_tokens()

    def __repr__(self) -> str:
        return f"sethealth.Client(key={self.key!r}, api_url={self.api_url!r})"

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "a sethealth.Client cannot be pickled because it contains the service-account "
            "secret and a connection pool; build a new Client in the other process"
        )


def _token_options(
    user_id: object, expires_in: Optional[Seconds], test_mode: object, fresh: object
) -> dict[str, Any]:
    return {
        "user_id": check_user_id(user_id),
        "expires_in": to_seconds("expires_in", expires_in),
        "test_mode": check_bool("test_mode", test_mode),
        "fresh": check_bool("fresh", fresh),
    }
