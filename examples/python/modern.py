"""Mint a token with the typed asyncio API and print its metadata.

Reads SETHEALTH_KEY, SETHEALTH_SECRET, SETHEALTH_API_URL and
SETHEALTH_CA_FILE. Prints neither the token nor the secret.
"""

from __future__ import annotations

import asyncio

import sethealth


async def main() -> None:
    client = sethealth.Client(timeout=10)
    token = await client.get_token_async(
        user_id="demo-user", expires_in=1800, test_mode=True
    )
    expires_at = (
        "unknown"
        if token.expires_at is None
        else token.expires_at.isoformat(timespec="seconds")
    )
    print(
        f"token for demo-user from {client.api_url}: {len(token.token)} characters, "
        f"expires at {expires_at} (from the {token.expiry_source})"
    )

    again = client.get_token(user_id="demo-user", expires_in=1800, test_mode=True)
    print(
        f"second call, blocking API: served from the cache: {again.token == token.token}"
    )


if __name__ == "__main__":
    asyncio.run(main())
