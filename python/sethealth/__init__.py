"""Mint short-lived Sethealth access tokens from a service account.

A drop-in for the ``sethealth`` 1.8.0 package, built on the Rust core
sethealth-core::

    import sethealth

    client = sethealth.Client()  # SETHEALTH_KEY and SETHEALTH_SECRET, read now
    print(client.getToken(user_id="patient-42"))

and a typed API with expiry, caching, sync and asyncio calls::

    token = client.get_token(user_id="patient-42", expires_in=1800)
    token = await client.get_token_async(user_id="patient-42")
    print(token.expires_at, str(token))

Every failure of a token request is an :class:`AuthException`; bad input and
configuration are :class:`InputException`; both derive from
:class:`SethealthError`. Token calls log one DEBUG record each under the
``sethealth`` logger, never with the secret.
"""

from __future__ import annotations

import atexit
import logging
from importlib.metadata import PackageNotFoundError, version

from . import _native
from ._client import Client
from ._errors import (
    AuthException,
    BadResponseError,
    InputException,
    InternalError,
    InvalidArgumentError,
    InvalidConfigError,
    MissingCredentialsError,
    NetworkError,
    RateLimitedError,
    RejectedError,
    ServerError,
    SethealthError,
    SethealthTimeoutError,
    TLSError,
)
from ._token import Token

__all__ = [
    "CORE_VERSION",
    "AuthException",
    "BadResponseError",
    "Client",
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
    "Token",
    "__version__",
]

try:
    __version__ = version("sethealth")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
    __version__ = "0+unknown"

#: The version of the Rust core inside this package, such as ``"0.1.0"``.
CORE_VERSION: str = _native.CORE_VERSION

logging.getLogger("sethealth").addHandler(logging.NullHandler())

# Lets threads blocked in a token call park at interpreter exit instead of
# re-entering a finalizing interpreter, which would abort the process.
atexit.register(_native.mark_interpreter_exit)
