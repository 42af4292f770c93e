"""Checks behind /healthz: can we reach the database and the Celery broker?"""

from django.db import connection

from chuangxian.celery import app as celery_app


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the reason is reported
        return f"error: {error.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # any failure means "down"; the reason is reported
        return f"error: {error.__class__.__name__}"
    return "ok"
