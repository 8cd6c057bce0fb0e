"""The task force governance app: create_app() builds it."""

from __future__ import annotations

import logging
import os
import secrets

from flask import Flask, g, request
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, CONFIGS, INSTANCE_DIR
from taskforce.db import MAX_ID


def digits_up_to(limit: int) -> str:
    """A regular expression for the whole numbers from 0 to `limit` written in digits."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            below = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            rest = len(digits) - i - 1
            options.append(digits[:i] + below + {0: "", 1: r"\d"}.get(rest, rf"\d{{{rest}}}"))
    options.append(digits)
    return "0*(?:" + "|".join(options) + ")"


class DatabaseId(IntegerConverter):
    """An id in a URL, within the database's integer range.

    The range is in the pattern, not only checked after matching: Werkzeug would answer a
    too-large id in, say, PATCH /indicators/<id> with 405 (the GET rule's path matched
    before the id failed its check) rather than 404.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
        if self.max == MAX_ID and not self.signed and self.min is None:
            self.regex = digits_up_to(MAX_ID)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app for a named configuration (development, test, production)."""
    config_name = config_name or os.environ.get("TASKFORCE_ENV", "development")
    from taskforce.transaction import TransactionalFlask

    app = TransactionalFlask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides)
    _check_config(app, config_name)
    INSTANCE_DIR.mkdir(exist_ok=True)

    # Ids in URLs stop at the database's integer range: a larger one is a 404, not an error.
    app.url_map.converters["int"] = DatabaseId
    register_proxies(app)
    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_commands(app)
    logging.basicConfig(level=logging.INFO)
    return app


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, read the client's address, scheme and host
    from the X-Forwarded-* headers they set, taking each from the nearest proxy's view.

    Without this, every request seems to come from the proxy: sign-in limits keyed on the
    address would put every user in one bucket. With none trusted (the default), those
    headers are ignored, since a client may write them itself.
    """
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)


def _check_config(app: Flask, config_name: str) -> None:
    if not app.config["SECRET_KEY"]:
        raise RuntimeError(
            f"SECRET_KEY must be set in the environment for the {config_name} configuration"
        )
    if not 0 <= app.config["TRUSTED_PROXIES"] <= 5:
        raise RuntimeError("TRUSTED_PROXIES must be the number of proxies in front, 0 to 5")
    sender = app.config["MAIL_FROM"].rsplit("<", 1)[-1].rstrip(">").strip()
    if not sender.isascii() or "@" not in sender:
        raise RuntimeError(f"MAIL_FROM must hold a plain ASCII email address, not {sender!r}")


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from taskforce import formatting, markdown
    from taskforce.audit import presenting

    markdown.register(app)
    formatting.register(app)
    presenting.register(app)


def register_extensions(app: Flask) -> None:
    from taskforce.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    from taskforce import ratelimits  # registers the database:// storage with limits

    app.config["RATELIMIT_STORAGE_OPTIONS"] = ratelimits.storage_options(app.config)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    # Import every model so metadata (and Alembic) sees the whole schema.
    from taskforce import models  # noqa: F401
    from taskforce.auth.models import User
    from taskforce.auth.services import user_for_session

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The session holds the user's id and session token (User.get_id): a cookie from
        # before a sign-out, a new password or a change of role signs nobody in.
        return user_for_session(session_id)


def register_blueprints(app: Flask) -> None:
    from taskforce.actions.owner_views import bp as owner_links_bp
    from taskforce.actions.views import bp as actions_bp
    from taskforce.admin.views import bp as admin_bp
    from taskforce.agenda.lead_views import bp as paper_links_bp
    from taskforce.agenda.views import bp as agenda_bp
    from taskforce.api import bp as api_bp
    from taskforce.auth.views import bp as auth_bp
    from taskforce.bodies.views import bp as bodies_bp
    from taskforce.main.outbox import bp as outbox_bp
    from taskforce.main.views import bp as main_bp
    from taskforce.meetings.links_views import bp as links_bp
    from taskforce.meetings.views import bp as meetings_bp
    from taskforce.packs.views import bp as packs_bp
    from taskforce.performance import edit_views, views  # noqa: F401  (routes join pages.bp)
    from taskforce.performance.pages import bp as performance_bp
    from taskforce.registers.views import bp as registers_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(bodies_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(actions_bp)
    app.register_blueprint(owner_links_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(paper_links_bp)
    app.register_blueprint(packs_bp)
    app.register_blueprint(performance_bp)
    app.register_blueprint(registers_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)


def register_security(app: Flask) -> None:
    from taskforce import web

    web.register_access_control(app)
    web.register_error_handlers(app)

    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def _template_globals():
        return {"csp_nonce": g.get("csp_nonce", ""), "service_name": app.config["SERVICE_NAME"]}

    @app.after_request
    def _headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_commands(app: Flask) -> None:
    from taskforce.actions.cli import chase_cli
    from taskforce.auth.cli import tokens_cli, users_cli
    from taskforce.demo.cli import demo_cli
    from taskforce.packs.cli import pack_cli
    from taskforce.scheduler import outbox_cli, scheduler_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(chase_cli)
    app.cli.add_command(pack_cli)
