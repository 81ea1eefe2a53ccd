"""Query results as records and as pandas DataFrames.

``Database.incidents()`` returns an :class:`IncidentList` (a plain list of ``Incident`` records
with ``to_pandas()``); ``Database.search()`` returns an :class:`IncidentPage` (one page, the
total count, and the query that produced it). The DataFrame has one row per incident with the
columns of the CSV export (``export.flat_row``); pandas (the ``[export]`` extra) is imported
only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import IncidentwireError
from .store.query import IncidentQuery


class IncidentList(list):
    """A list of :class:`Incident` records that can become a DataFrame."""

    def to_pandas(self):
        try:
            import pandas as pd
        except ImportError:
            raise IncidentwireError("to_pandas() needs pandas: pip install 'incidentwire[export]'") from None
        from .export import CSV_COLUMNS, flat_row
        return pd.DataFrame([flat_row(inc) for inc in self], columns=list(CSV_COLUMNS))


@dataclass
class IncidentPage:
    """One page of a query: ``items`` (at most ``query.limit``), ``total`` matching incidents."""

    items: IncidentList
    total: int
    query: IncidentQuery = field(default_factory=IncidentQuery)

    @property
    def has_more(self) -> bool:
        return (self.query.offset or 0) + len(self.items) < self.total

    def to_pandas(self):
        return self.items.to_pandas()

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
