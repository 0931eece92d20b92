"""The Alembic environment of every plugin history (see quizzes/migrating.py)."""

from alembic import context

from quizzes.migrating import adopt_shared_versions

history = context.config.attributes["history"]


def run_migrations_online():
    with history.engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's batch mode copies a table and drops the original: with foreign
            # keys on, that drop fails or cascades into child rows. The pragma only
            # works outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        adopt_shared_versions(connection, history)
        connection.commit()  # or the migrations below run inside the look-up's transaction
        context.configure(
            connection=connection,
            target_metadata=history.metadata,
            **history.context_options(),
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")  # pooled: put it back
            connection.commit()
            if broken:
                raise RuntimeError(f"Migration left rows with broken foreign keys: {broken}")


if context.is_offline_mode():
    raise SystemExit("The plugins' migrations run against a database (no offline SQL).")
run_migrations_online()
