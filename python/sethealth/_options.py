"""Type checks and unit conversions of keyword arguments, before the native call.

Only Python types are checked here. Value checks (negative durations, user-id
rules, URL rules) are made by the native module and the Rust core, which
raise the matching :class:`~sethealth.SethealthError` subclass.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Optional, Union

#: A duration: seconds as an int or float, or a :class:`datetime.timedelta`.
Seconds = Union[int, float, timedelta]


def to_seconds(keyword: str, value: Optional[Seconds]) -> Optional[float]:
    """Convert a duration keyword to float seconds.

    Args:
        keyword: The keyword's name, for the error message.
        value: Seconds as an int or float, a timedelta, or None.

    Returns:
        The seconds, or None when ``value`` is None.

    Raises:
        TypeError: ``value`` is a bool or not a number or timedelta.
    """
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"{keyword} must be a number of seconds or a datetime.timedelta, not {type(value).__name__}"
        )
    try:
        return float(value)
    except OverflowError:
        # An int too large for a float; the native check rejects it by name.
        return math.inf


def check_bool(keyword: str, value: object) -> bool:
    """Return ``value`` if it is a bool.

    Raises:
        TypeError: ``value`` is not a bool, such as the string ``"false"``,
            which would otherwise count as true.
    """
    if not isinstance(value, bool):
        raise TypeError(f"{keyword} must be True or False, not {type(value).__name__}")
    return value


def check_optional_bool(keyword: str, value: object) -> Optional[bool]:
    """Return ``value`` if it is a bool or None.

    Raises:
        TypeError: ``value`` is of another type.
    """
    if value is None:
        return None
    return check_bool(keyword, value)


def check_fraction(keyword: str, value: object) -> Optional[float]:
    """Convert a fraction keyword (an int or float, not a bool) to float.

    Raises:
        TypeError: ``value`` is a bool or not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{keyword} must be a number from 0.0 to 1.0, not {type(value).__name__}")
    return float(value)


def check_user_id(value: object) -> Optional[str]:
    """Return ``value`` if it is a str or None.

    Raises:
        TypeError: ``value`` is of another type.
    """
    if value is not None and not isinstance(value, str):
        raise TypeError(f"user_id must be a str or None, not {type(value).__name__}")
    return value


def check_int(keyword: str, value: object) -> Optional[int]:
    """Return ``value`` if it is an int (not a bool) or None.

    Raises:
        TypeError: ``value`` is of another type.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{keyword} must be an int or None, not {type(value).__name__}")
    return value
