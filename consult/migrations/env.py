"""Alembic environment: runs migrations on the engine handed over by consult.migrate."""

from alembic import context

from consult.models import Base

config = context.config
engine = config.attributes["engine"]


def _sqlite_foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    """Set SQLite's foreign-key enforcement; the pragma only works outside a transaction."""
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


with engine.connect() as connection:
    # Batch migrations on SQLite rebuild a table by copy, DROP and rename. With foreign keys
    # enforced (consult.db turns them on), that DROP deletes the rows referring to the table
    # (ON DELETE CASCADE: a response rebuilt lost every answer) or is refused. So they are off
    # while migrating, and checked once at the end instead.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:10]}")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()  # nothing after the commit; a failed migration is undone
            _sqlite_foreign_keys(connection, on=True)
