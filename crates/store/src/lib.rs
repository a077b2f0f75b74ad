//! Persistence for Tessera behind one interface, on SQLite (the embedded default) and PostgreSQL.
