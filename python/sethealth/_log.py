"""Debug records of token calls, under the ``sethealth`` logger.

One record per call: the key id, the options (never the secret), the
outcome and the duration. Nothing is logged above DEBUG: failures reach the
caller as exceptions, and the core's retries are not bridged from Rust.
"""

from __future__ import annotations

import logging
import time

from ._errors import SethealthError
from ._token import Token

logger = logging.getLogger("sethealth")


def log_success(call: str, key: str, options: dict[str, object], started: float, token: Token) -> None:
    """Log a call that returned ``token``; ``started`` is a :func:`time.monotonic` value."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    expires_at = "unknown" if token.expires_at is None else token.expires_at.isoformat()
    _log(call, key, options, started, f"ok, token expires at {expires_at} ({token.expiry_source})")


def log_failure(
    call: str, key: str, options: dict[str, object], started: float, error: BaseException
) -> None:
    """Log a call that raised ``error``; ``started`` is a :func:`time.monotonic` value."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    _log(call, key, options, started, _describe(error))


def _describe(error: BaseException) -> str:
    if isinstance(error, SethealthError):
        status = "" if error.status_code is None else f", status {error.status_code}"
        return f"failed with {error.kind}{status}: {error.message}"
    return f"ended by {type(error).__name__}"


def _log(call: str, key: str, options: dict[str, object], started: float, outcome: str) -> None:
    elapsed_ms = (time.monotonic() - started) * 1000
    rendered = " ".join(f"{name}={value!r}" for name, value in options.items())
    logger.debug("%s key=%r %s: %s in %.1f ms", call, key, rendered, outcome, elapsed_ms)
