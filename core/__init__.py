"""zwgk: everything a plugin may import lives here (``__all__``).

A plugin imports from ``zwgk`` only; the modules behind it may change between
releases, this list changes only with the contract version.
"""

from .hookspecs import CONTRACT_VERSION, hookimpl
from . import catalog_history as _catalog_history  # noqa: F401  (registers its flush listeners)
from .loader import DataError, Problem, read_data_file
from .dataplugin import DataPlugin  # noqa: E402  (needs the loader)
from .documents import OUTSIDE, PolicyDocumentSchema
from .schemas import (
    CatalogItemSchema,
    DomainAliasSchema,
    DomainSchema,
    ElementRequirementSchema,
    IndicatorSchema,
    ObligationSchema,
    PilotProgramSchema,
    ResponsibilitySchema,
    ScheduleSchema,
    StandardSchema,
    UnitSchema,
)

__all__ = [
    "CONTRACT_VERSION",
    "hookimpl",
    "read_data_file",
    "DataPlugin",
    "OUTSIDE",
    "PolicyDocumentSchema",
    "DataError",
    "Problem",
    "CatalogItemSchema",
    "DomainAliasSchema",
    "DomainSchema",
    "ElementRequirementSchema",
    "IndicatorSchema",
    "ObligationSchema",
    "PilotProgramSchema",
    "ResponsibilitySchema",
    "ScheduleSchema",
    "StandardSchema",
    "UnitSchema",
]
