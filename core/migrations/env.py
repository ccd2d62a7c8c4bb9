"""Alembic environment: runs with the engine the caller passes in ``config.attributes``."""

from alembic import context
from sqlalchemy import create_engine

from zwgk.models import load_all
from zwgk import documents  # noqa: F401  (issue 11: policy documents)

Base = load_all()  # every table of the schema, those of zwgk.models.EXTRA_MODULES too

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not used
    raise SystemExit("zwgk migrations run online only")
run_migrations_online()
