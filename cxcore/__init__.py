"""CX Cockpit core: data contract, KPI registry, SQL building and the engine.

The import surface is the Python contract: `cxcore.Cockpit.open(path).kpis(...)`.
"""

from cxcore.cockpit import Cockpit
from cxcore.data.catalog import DataContractError
from cxcore.metrics.engine import ArgumentError
from cxcore.metrics.registry import KPI_BY_NAME, KPIS

__all__ = ["KPIS", "KPI_BY_NAME", "ArgumentError", "Cockpit", "DataContractError"]
