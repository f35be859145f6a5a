"""Who may do what: one function per right, checked before the action runs.

Like CKAN's permission functions, every right is a named function, so the permission model can be
read in one place.
"""

from __future__ import annotations

from consult.models import Consultation, Role, User, Wave, WaveStatus


def can_manage_users(user: User) -> bool:
    return user.role == Role.ADMIN


def can_read_audit_log(user: User) -> bool:
    return user.role == Role.ADMIN


def can_use_admin(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def can_create_consultation(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def _member(user: User, consultation: Consultation) -> bool:
    """Whether the user belongs to the consultation (as an organizer or a researcher)."""
    return any(member.id == user.id for member in consultation.organizers)


def can_manage_consultation(user: User, consultation: Consultation) -> bool:
    """Admins manage every consultation; organizers only those they belong to."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.ORGANIZER and _member(user, consultation)


def can_manage_wave(user: User, wave: Wave) -> bool:
    return can_manage_consultation(user, wave.consultation)


def can_read_results(user: User | None, wave: Wave) -> bool:
    """A published wave's results are public (unless it is still a draft, which no public page
    names); an unpublished wave's only for its consultation's researchers and organizers, and
    admins."""
    if wave.results_published and wave.status != WaveStatus.DRAFT:
        return True
    if user is None:
        return False
    return user.role == Role.ADMIN or _member(user, wave.consultation)


def can_download_microdata(user: User | None, wave: Wave) -> bool:
    """Respondent-level data, even anonymized, only ever for the consultation's researchers."""
    return user is not None and user.role == Role.RESEARCHER and _member(user, wave.consultation)
