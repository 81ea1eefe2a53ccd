"""The web shell: REST API, HTML pages and analyst review over ``incidentwire.Database``.

``create_app(db)`` builds the FastAPI application; ``serve(db, host, port)`` runs it (the
``incidentwire serve`` command). Needs the ``web`` extra: pip install 'incidentwire[web]'.
"""

from .app import create_app, serve

__all__ = ["create_app", "serve"]
