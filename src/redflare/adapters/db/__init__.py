"""The store: SQLAlchemy 2 models, repositories and Alembic migrations."""
