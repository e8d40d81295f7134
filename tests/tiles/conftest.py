"""Fixtures of the tiles tests: procedures and contributions made as the procedure tests make them."""

from __future__ import annotations

from tests.procedures.conftest import (  # noqa: F401 - fixtures shared with the procedure tests
    make_contribution,
    make_procedure,
)
