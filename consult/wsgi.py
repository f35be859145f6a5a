"""Entry point for WSGI servers: `gunicorn consult.wsgi:app`."""

from consult import create_app

app = create_app()
