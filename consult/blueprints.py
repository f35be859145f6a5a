"""One blueprint per audience; each capability's views attach their routes to them.

- `public`: citizens taking a consultation (`consult.responding.views`);
- `admin`: organizers and admins under /admin/ (`consult.accounts.views`,
  `consult.organizing.views`, `consult.themes.views`: the codebook of themes);
- `results`: the public and researchers reading a wave's figures under /results/
  (`consult.results.views`; the open answers, researchers only: `consult.themes.views`);
- `api`: the same figures as JSON under /api/v1/ (`consult.results.api`).

Templates live in `templates/<blueprint>/`.
"""

from __future__ import annotations

from flask import Blueprint

public = Blueprint("public", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")
results = Blueprint("results", __name__, url_prefix="/results")
api = Blueprint("api", __name__, url_prefix="/api/v1")
