"""zwgk: everything a plugin may import lives here (``__all__``).

A plugin imports from ``zwgk`` only; the modules behind it may change between
releases, this list changes only with the contract version.
"""

from importlib import import_module
from typing import Any

# Where each public name lives.  They are imported on first use (PEP 562), so that a command
# that needs none of them (``zwgk --help``) does not pay for marshmallow, SQLAlchemy's models
# and the loaders at start-up; ``from zwgk import hookimpl`` works as before.
_HOME = {
    "CONTRACT_VERSION": ".hookspecs", "hookimpl": ".hookspecs",
    "read_data_file": ".loader", "DataError": ".loader", "Problem": ".loader",
    "DataPlugin": ".dataplugin",
    "OUTSIDE": ".documents", "PolicyDocumentSchema": ".documents",
    **{name: ".schemas" for name in (
        "CatalogItemSchema", "DomainAliasSchema", "DomainSchema", "ElementRequirementSchema", "IndicatorSchema",
        "ObligationSchema", "PilotProgramSchema", "ResponsibilitySchema", "ScheduleSchema", "StandardSchema",
        "UnitSchema")},
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOME[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
