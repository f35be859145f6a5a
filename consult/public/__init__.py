"""The citizens' pages: find an open consultation, take it, resume it, submit it."""

from consult.public.views import public

__all__ = ["public"]
