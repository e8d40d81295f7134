"""Fixtures of the abuse tests: the checks switched back on, with small limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def limits(settings: Any) -> Callable[..., None]:
    """Return a function that sets the throttle limits of these actions (others stay high)."""

    def set_limits(**per_action: int) -> None:
        settings.BK_THROTTLE = {
            **settings.BK_THROTTLE,
            **{action: {"LIMIT": limit, "WINDOW_SECONDS": 3600} for action, limit in per_action.items()},
        }

    return set_limits
