"""One exception tree for incidentwire: every error a user can see derives from IncidentwireError
and carries a message that says what went wrong and what to do about it."""

from __future__ import annotations


class IncidentwireError(Exception):
    """Base of every error incidentwire raises on purpose."""


class InputError(IncidentwireError):
    """An input path or record cannot be read (missing, unreadable, binary, malformed)."""


class StoreError(IncidentwireError):
    """The database cannot be opened, migrated or written."""


class NotFoundError(IncidentwireError):
    """A requested incident or article id does not exist."""


class MergedIncidentError(NotFoundError):
    """A requested incident was merged into another, ``merged_into``, which holds its reports."""

    def __init__(self, incident_id: str, merged_into: str):
        super().__init__(f"incident {incident_id!r} was merged into {merged_into!r}")
        self.merged_into = merged_into


class ExportError(IncidentwireError):
    """An export format is unknown or the output cannot be written."""


class QueryError(IncidentwireError):
    """A query asks for something that cannot be answered (unknown sort, unreadable date, bad bbox)."""


class ReviewError(IncidentwireError):
    """An analyst action cannot be done as asked (unknown field, bad value, nothing to undo)."""


class AuthError(IncidentwireError):
    """A write was attempted without a valid API token."""


class AlertError(IncidentwireError):
    """An alert rule file is invalid, an alert cannot be rendered, or a sink is misconfigured."""


class DeliveryError(AlertError):
    """One delivery of an alert to a sink failed (it is retried from the outbox)."""


class EngineError(IncidentwireError):
    """An executor cannot be started: the scale extra is missing or the scheduler is unreachable."""


class ExtractorError(IncidentwireError):
    """An extractor is unknown or cannot run (its extra is not installed, its model file is missing)."""
