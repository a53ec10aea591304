"""The PostgreSQL server on 127.0.0.1:5432 that this machine kind starts."""
