"""Extensions created once and initialised in the app factory."""

from __future__ import annotations

from flask_babel import Babel, gettext
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from consult.db import db
from consult.messages import N_
from consult.rate_limits import address_key

# The visitor's language and the gettext catalogues; configured in `consult.i18n.init_app`.
babel = Babel()
csrf = CSRFProtect()
# Counts attempts per purpose and target (`consult.rate_limits`); an address only as a keyed hash.
limiter = Limiter(key_func=address_key, default_limits=[], headers_enabled=True)

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"
# Flask-Login flashes this when a signed-out visitor opens an admin page: in the visitor's language.
login_manager.login_message = N_("Sign in to open this page.")
login_manager.localize_callback = gettext

__all__ = ["babel", "csrf", "db", "limiter", "login_manager"]
