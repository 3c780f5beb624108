"""CX Cockpit core: data contract, KPI registry, SQL building and the engine.

The import surface is the Python contract: `cxcore.Cockpit.open(path).kpis(...)`.
"""

from .catalog import DataContractError
from .engine import ArgumentError, Cockpit
from .registry import KPI_BY_NAME, KPIS

__all__ = ["KPIS", "KPI_BY_NAME", "ArgumentError", "Cockpit", "DataContractError"]
