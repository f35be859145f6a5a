"""The organizers' and admins' pages under /admin/."""

from consult.admin.views import admin

__all__ = ["admin"]
