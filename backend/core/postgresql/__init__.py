"""Django's PostgreSQL backend with a cheaper connection-pool check (see base.py)."""
