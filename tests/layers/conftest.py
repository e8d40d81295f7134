"""Fixtures of the layers tests: procedures and contributions made as the procedure tests make them."""

from __future__ import annotations

from tests.procedures.conftest import (  # noqa: F401 - fixtures shared with the procedure tests
    make_contribution,
    make_procedure,
    without_demo_procedures,
)
from tests.reports.conftest import staff  # noqa: F401 - fixture shared with the report tests
