"""Entry point for WSGI servers: `gunicorn consult.wsgi:app`."""

from consult.app import compute_on_one_core, create_app

compute_on_one_core()
app = create_app()
