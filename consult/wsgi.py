"""Entry point for WSGI servers: `gunicorn consult.wsgi:app`."""

from consult.app import compute_on_one_core, create_app, prepare_worker

compute_on_one_core()
app = create_app()
prepare_worker(app)
