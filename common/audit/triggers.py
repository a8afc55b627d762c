"""Database triggers that make the audit table append-only."""

SQLITE = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
# SQLite's test flush deletes rows with DELETE, so there only UPDATE is refused; deletions
# are still caught by the hash chain.
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;
    """,
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
]


def install(execute, vendor: str) -> None:
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        execute(sql)


def drop(execute, vendor: str) -> None:
    execute("DROP TRIGGER IF EXISTS audit_event_no_update" + (" ON audit_auditevent" if vendor == "postgresql" else ""))
