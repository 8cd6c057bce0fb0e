"""Entry point for `flask` and for gunicorn (`gunicorn wsgi:app`)."""

from taskforce import create_app

app = create_app()
