"""The stored data: consultations, immutable question-set versions, waves, responses and answers.

No IP address, user agent or exact time is stored with a response: dates only.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WaveStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class WaveMode(enum.StrEnum):
    OPEN = "open"
    INVITE = "invite"


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    RESEARCHER = "researcher"


class InvitationStatus(enum.StrEnum):
    UNUSED = "unused"
    USED = "used"
    REVOKED = "revoked"


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=16, values_callable=_values)


def _values(kind: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in kind]


consultation_organizer = Table(
    "consultation_organizer",
    Base.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A staff account: admins manage users, organizers their consultations, researchers read."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    created_on: Mapped[dt.date] = mapped_column(Date)
    # Carried by every signed-in session; raised at sign-out and at a new password, which ends
    # every session of the account at once (a copied cookie included).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    consultations: Mapped[list[Consultation]] = relationship(
        secondary=consultation_organizer, back_populates="organizers"
    )

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the account and its session version, so a
        session of an older version no longer loads the user."""
        return f"{self.id}.{self.session_version}"


class ApiToken(Base):
    """A user's personal API token for the JSON API: only its SHA-256 is stored, so the token
    itself is shown once, when created. Dates only, like every other record of use."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_on: Mapped[dt.date] = mapped_column(Date)
    last_used_on: Mapped[dt.date | None] = mapped_column(Date)
    revoked_on: Mapped[dt.date | None] = mapped_column(Date)

    user: Mapped[User] = relationship()


class Consultation(Base):
    """A consultation that repeats yearly, e.g. the biotechnology consultation."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title_nl: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))

    versions: Mapped[list[QuestionSetVersion]] = relationship(
        back_populates="consultation", order_by="QuestionSetVersion.number"
    )
    waves: Mapped[list[Wave]] = relationship(back_populates="consultation", order_by="Wave.id")
    organizers: Mapped[list[User]] = relationship(
        secondary=consultation_organizer, back_populates="consultations"
    )

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else None) or self.title_nl


class QuestionSetVersion(Base):
    """An immutable question set: editing a set creates a new version, never changes this one."""

    __tablename__ = "question_set_version"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number"),
        UniqueConstraint("consultation_id", "checksum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(64))
    # Tens of kilobytes, read only to parse a version once per process (`question_set_of`).
    source: Mapped[str] = mapped_column(Text, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[dt.date] = mapped_column(Date)

    consultation: Mapped[Consultation] = relationship(back_populates="versions")


class Wave(Base):
    """One yearly round of a consultation, answered on one question-set version."""

    __tablename__ = "wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"))
    question_set_version_id: Mapped[int] = mapped_column(ForeignKey("question_set_version.id"))
    status: Mapped[WaveStatus] = mapped_column(_enum(WaveStatus, "wave_status"))
    mode: Mapped[WaveMode] = mapped_column(_enum(WaveMode, "wave_mode"))
    opens_on: Mapped[dt.date | None] = mapped_column(Date)
    closes_on: Mapped[dt.date | None] = mapped_column(Date)
    min_cell_size: Mapped[int] = mapped_column(Integer, default=10)
    results_published: Mapped[bool] = mapped_column(default=False)
    # Population margins for weighting, as the CSV text `variable,category,share`.
    margins: Mapped[str | None] = mapped_column(Text)
    # The fingerprint of the counting plan (`counting.plan.CountPlan`) its answer counts follow;
    # counts under another (or none: counted before fingerprints) are recounted before a report.
    counts_fingerprint: Mapped[str | None] = mapped_column(String(64))

    consultation: Mapped[Consultation] = relationship(back_populates="waves")
    question_set_version: Mapped[QuestionSetVersion] = relationship()

    def is_open(self, today: dt.date) -> bool:
        """Open for answers: opened by an organizer and within its dates."""
        if self.status != WaveStatus.OPEN:
            return False
        if self.opens_on is not None and today < self.opens_on:
            return False
        return self.closes_on is None or today <= self.closes_on


class Response(Base):
    """One respondent's answers to one wave. Identified publicly only by a random id."""

    __tablename__ = "response"
    __table_args__ = (Index("ix_response_wave_status_cell", "wave_id", "status", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    question_set_version_id: Mapped[int] = mapped_column(ForeignKey("question_set_version.id"))
    status: Mapped[ResponseStatus] = mapped_column(_enum(ResponseStatus, "response_status"))
    language: Mapped[str] = mapped_column(String(8))
    started_on: Mapped[dt.date] = mapped_column(Date)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date)
    resume_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    order_seed: Mapped[int] = mapped_column(Integer)
    # The order of pages, items and rows this respondent was shown (JSON from surveys.layout).
    layout: Mapped[str] = mapped_column(Text)
    last_page_id: Mapped[str | None] = mapped_column(String(64))
    # Minutes from start to submit, when measured in one browser session; never a clock time.
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # The weighting cell of a complete response: its demographic codes joined by '|'.
    cell: Mapped[str | None] = mapped_column(String(64))

    wave: Mapped[Wave] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One stored answer cell: an option code, a number or a text under an item (or row) code."""

    __tablename__ = "answer"
    __table_args__ = (
        Index("ix_answer_response_code", "response_id", "code"),
        # Joint counts of a few items read only those items' answers.
        Index("ix_answer_code_response", "code", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    option: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class Invitation(Base):
    """A one-time code for an invitation-only wave; only its hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(_enum(InvitationStatus, "invitation_status"))
    created_on: Mapped[dt.date] = mapped_column(Date)
    used_on: Mapped[dt.date | None] = mapped_column(Date)

    wave: Mapped[Wave] = relationship()


class AuditEvent(Base):
    """Who did what to what, when, with what result. Never answers, tokens or passwords."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(500))


class WeightingCell(Base):
    """One weighting cell of a wave (a combination of demographic answers) and how many complete
    responses it holds: the design the analysis rakes, kept up to date as responses complete."""

    __tablename__ = "weighting_cell"
    __table_args__ = (UniqueConstraint("wave_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"))
    # Demographic option codes joined by '|', -1 when unanswered (as `Response.cell`).
    key: Mapped[str] = mapped_column(String(64))
    respondents: Mapped[int] = mapped_column(Integer)


class AnswerCount(Base):
    """How many complete responses in one weighting cell gave one answer value to one code.

    Kept up to date as responses complete, so the analysis reads a table of counts, never every
    answer. `value` is the option code (choice items), the number (number and slider items) or the
    rank (code `ITEM.option` of a ranking item); multiple-choice items also count who answered them
    under value -1; `~` codes hold the acceptance summary's profiles (`counting.Profile`) and the
    batteries' sums for Cronbach's alpha (`counting.ScaleSums`, whose n are sums, not counts).
    Stored in key order (no rowid on SQLite): a report reads each code's rows as one range.
    """

    __tablename__ = "answer_count"
    __table_args__ = {"sqlite_with_rowid": False}

    wave_id: Mapped[int] = mapped_column(
        ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    cell_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_cell.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Theme(Base):
    """One theme of a consultation's codebook for open answers: an answer is about the theme
    when, normalised and stemmed, it holds one of the keywords or phrases (`analysis.themes`)."""

    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("consultation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Keywords and phrases, one per line, in Dutch or English.
    keywords: Mapped[str] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class ThemeSuggestion(Base):
    """A cluster of open answers that no theme matched, proposed as a new theme: its
    characteristic terms and how many answers it holds, never the answers themselves."""

    __tablename__ = "theme_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"))
    # The cluster's top terms, one per line, most characteristic first.
    terms: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[SuggestionStatus] = mapped_column(_enum(SuggestionStatus, "suggestion_status"))
    created_on: Mapped[dt.date] = mapped_column(Date)

    consultation: Mapped[Consultation] = relationship()

    def term_list(self) -> list[str]:
        return [line for line in self.terms.splitlines() if line]
