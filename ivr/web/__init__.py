"""The back office: FastAPI app factory (`ivr.web.app.create_app`), pages and JSON API."""
