"""Who may do what: one function per right, checked before the action runs.

Like CKAN's permission functions, every right is a named function, so the permission model can be
read in one place.
"""

from __future__ import annotations

from consult.models import Consultation, Role, User, Wave


def can_manage_users(user: User) -> bool:
    return user.role == Role.ADMIN


def can_read_audit_log(user: User) -> bool:
    return user.role == Role.ADMIN


def can_use_admin(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def can_create_consultation(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def can_manage_consultation(user: User, consultation: Consultation) -> bool:
    """Admins manage every consultation; organizers only those they belong to."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANIZER and any(u.id == user.id for u in consultation.organizers)


def can_manage_wave(user: User, wave: Wave) -> bool:
    return can_manage_consultation(user, wave.consultation)
