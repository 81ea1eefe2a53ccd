"""incidentwire: turn raw news into a reconciled, evidence-backed database of incidents.

    import incidentwire
    db = incidentwire.open("incidentwire.db")
    db.ingest(["examples/news"], metadata="examples/news.metadata.jsonl")
    for inc in db.incidents():
        print(inc.id, inc.fields["date"], inc.fields["killed"])
"""

from .api import Database, open
from .errors import IncidentwireError
from .records import Article, Claim, Incident, Mention
from .results import IncidentList, IncidentPage
from .store.query import IncidentQuery

__all__ = ["open", "Database", "IncidentwireError", "Article", "Claim", "Incident", "Mention",
           "IncidentQuery", "IncidentList", "IncidentPage"]
__version__ = "0.1.0"
