"""Alembic environment for Flask-Migrate: the app's engine and metadata, batch mode on SQLite."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def get_engine():
    return target_db.engine


def get_metadata():
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Write the app's own column types as plain SQLAlchemy ones: migrations must not import
    the app (UTCDateTime is a DateTime; Amount is NUMERIC, or text on SQLite)."""
    from taskforce.db import UTCDateTime
    from taskforce.performance.models import Amount

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, Amount):
        return 'sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite")'
    return False


def run_migrations_offline():
    """Emit SQL for the migrations without a database connection (`flask db upgrade --sql`)."""
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations against the app's database."""

    def process_revision_directives(context, revision, directives):
        # Autogenerate with nothing to do writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    with get_engine().connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds SQLite tables; with foreign keys on, dropping the old table
            # would cascade into its children. The pragma only works outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            # End the transaction the pragma began, or Alembic would think the caller owns
            # one and never commit the version stamp.
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            render_item=render_item,
            **conf_args,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
