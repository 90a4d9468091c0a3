"""Migrations that a live PostgreSQL database of a million documents survives (issue 22 §6).

Every operation of every migration of every VanThu app is walked (Django's MigrationLoader) and
the ones that hold a long table lock on a big table are refused:

- `AddIndex`, `RemoveIndex`, `AlterUniqueTogether`/`AlterIndexTogether`: CREATE/DROP INDEX blocks
  every write for as long as the index takes to build. Use `AddIndexConcurrently` /
  `RemoveIndexConcurrently` (django.contrib.postgres.operations) in a migration with
  `atomic = False`.
- `AddConstraint`: ALTER TABLE … ADD CONSTRAINT scans the table under ACCESS EXCLUSIVE. Use
  `AddConstraintNotValid` then `ValidateConstraint` (a check constraint), or a unique index built
  concurrently (RunSQL `CREATE UNIQUE INDEX CONCURRENTLY` in SeparateDatabaseAndState).
- `AddField`: NOT NULL without a default fails on existing rows; a volatile default (a callable,
  a database expression) gives every existing row one value or rewrites the table; an indexed,
  unique or foreign-key field builds its index or validates its constraint under the lock. Add it
  nullable (or with a constant default), backfill `@batched`, index concurrently.
- `AlterField`: a column type change rewrites the table under ACCESS EXCLUSIVE (widening a varchar
  is the exception PostgreSQL makes); NULL → NOT NULL scans under the lock; a new index or unique
  builds under it.
- `RunPython`: the function must say how it touches rows (`vanthu.migrating.batched` in a
  non-atomic migration, or `few_rows`); one transaction over every row of a big table locks them all.
- `RunSQL`: the same rules read from its SQL (CREATE INDEX without CONCURRENTLY, ALTER COLUMN …
  TYPE, SET NOT NULL, ADD CONSTRAINT without NOT VALID).

A table created in the same migration is empty: anything goes on it. A table small by nature
(SMALL_TABLES, each with its reason) takes these locks for milliseconds. Migrations written before
any installation held data are named in HISTORICAL with the reason; a new one must comply. How long
a writer actually waits is measured by `vanthu bench migrate-locks` on PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps as installed_apps
from django.contrib.postgres import operations as pg_operations
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from vanthu.migrating import rows_of

# Tables whose size is bounded by the organisation tree or a catalogue, never by the documents:
# a lock on them lasts milliseconds whatever the installation's age.
SMALL_TABLES = {
    "documents.DocumentType": "the catalogue of document types (a few dozen)",
    "documents.Signatory": "leaders with signing authority, a handful per organisation",
    "documents.Delegation": "delegations of signing, a few per leader and year",
    "documents.RegisterCounter": "one row per register (organisation × type × term)",
    "organizations.Organization": "the organisation tree (hundreds)",
    "audit.AuditHead": "one row: the chain's head",
    "accounts.SecurityPolicy": "one row: the sign-in policy",
    "reports.Target": "the Bloc's targets (a few dozen)",
    "reports.Criterion": "the evaluation criteria (a few dozen)",
    "reports.EvaluationSettings": "one row per year",
    "calendar.CalendarYear": "one row per year",
    "calendar.SpecialDay": "holidays, a few dozen per year",
    "exchange.Peer": "peer installations (a handful)",
    "signatures.TrustRoot": "trust roots (a handful)",
    "archive.RetentionPeriod": "the retention table (a few hundred lines)",
}

# Migrations written before VanThu had a release or any installation held data (version 0.1.0, no
# release tag; every installation so far — demos, tests, benches — was created from an empty
# database by these migrations, where every operation runs on empty tables in milliseconds).
# They are frozen: this list never grows. Each names what it does that a new migration may not.
HISTORICAL = {
    ("archive", "0002_retention_periods"): "seeds the retention table (unmarked RunPython, a few hundred rows)",
    ("audit", "0002_audit_head"): "creates the chain's one head row (unmarked RunPython)",
    ("direction", "0003_task_task_cycle_state"): "plain index on direction's tasks, weeks before any data",
    ("documents", "0002_seed_document_types"): "seeds the catalogue of types (unmarked RunPython)",
    ("documents", "0003_document_authoritative_file_alter_documentfile_role"): "foreign key on documents, before any data",
    ("documents", "0005_delivery_send_failed_index_answer_labels"): "plain index on deliveries, before any data",
    ("documents", "0006_outgoing_list_index"): "plain index on documents, before any data",
    ("documents", "0009_signatory"): "foreign keys on documents and an unbatched backfill, before any data",
    ("documents", "0010_document_returned"): "foreign key on documents, before any data",
    ("documents", "0011_delivery_sending_index"): "plain index on deliveries, before any data",
    ("documents", "0013_document_share_need_to_know"): "plain index on documents, before any data",
    ("documents", "0014_delivery_reply_handler_private_notes"): "foreign keys on deliveries and documents, before any data",
    ("documents", "0015_delegation_and_duplicate_index"): "foreign key and plain index on documents, before any data",
    ("exchange", "0002_mark_served_organizations"): "marks the organisations (unmarked RunPython over a small table)",
    ("membership", "0002_peer_transfers"): "foreign key on transfers, before any data",
    ("migration", "0002_legacy_search_trigram"): "trigram index on legacy records (RunPython), before any import",
    ("programme", "0003_acknowledgement_tally"): "builds tallies from acknowledgements (unbatched), before any data",
    ("reports", "0002_seed_targets_criteria"): "seeds the targets and criteria (unmarked RunPython)",
    ("reports", "0004_open_deadline_count"): "plain index and an unbatched fill of a statistic, before any data",
    ("reports", "0006_programme_criteria"): "seeds criteria (unmarked RunPython)",
    ("reports", "0007_directed_tasks_criterion"): "seeds a criterion (unmarked RunPython)",
    ("search", "0002_index_tables"): "creates the search tables and their indexes (RunPython)",
    ("search", "0003_index_tables_day_index"): "plain index on the search rows (RunPython), before any data",
    ("search", "0004_partitioned_tsv"): "rebuilds the search rows as partitions (batched, one transaction), before any data",
    ("search", "0005_head_apart"): "splits the search rows (RunPython), before any data",
    ("search", "0006_search_words"): "builds the search words table (RunPython), before any data",
    ("workflow", "0002_assignment_share_note"): "an unbatched update of assignments, before any data",
}

INDEX_OPS = (migrations.AddIndex, migrations.RemoveIndex, migrations.RenameIndex,
             migrations.AlterUniqueTogether, migrations.AlterIndexTogether)
SAFE_CONCURRENT = (pg_operations.AddIndexConcurrently, pg_operations.RemoveIndexConcurrently)
SAFE_CONSTRAINT = (pg_operations.AddConstraintNotValid, pg_operations.ValidateConstraint)

SQL_RULES = (
    (re.compile(r"\bcreate\s+(unique\s+)?index\s+(?!concurrently)(?:if\s+not\s+exists\s+)?\S+\s+on\s+(?:only\s+)?\"?(\w+)", re.I),
     "CREATE INDEX without CONCURRENTLY"),
    (re.compile(r"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?\"?(\w+)\"?[^;]*\balter\s+column\s+\S+\s+(?:set\s+data\s+)?type\b", re.I | re.S),
     "ALTER COLUMN … TYPE"),
    (re.compile(r"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?\"?(\w+)\"?[^;]*\bset\s+not\s+null\b", re.I | re.S),
     "SET NOT NULL"),
    (re.compile(r"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?\"?(\w+)\"?[^;]*\badd\s+constraint\b(?![^;]*\bnot\s+valid\b)", re.I | re.S),
     "ADD CONSTRAINT without NOT VALID"),
)
CREATE_TABLE = re.compile(r"\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?\"?(\w+)", re.I)


@dataclass(frozen=True)
class Problem:
    app: str
    migration: str
    operation: str
    why: str

    def __str__(self) -> str:
        return f"{self.app}.{self.migration}: {self.operation}: {self.why}"


def vanthu_apps() -> set[str]:
    return {a.label for a in installed_apps.get_app_configs() if a.name.startswith("vanthu.")}


def _label(state: ProjectState, app: str, model_name: str) -> str:
    model = state.models.get((app, model_name.lower()))
    return f"{app}.{model.name}" if model else f"{app}.{model_name}"


def _table(state: ProjectState, app: str, model_name: str) -> str:
    model = state.models.get((app, model_name.lower()))
    return (model.options.get("db_table") if model else None) or f"{app}_{model_name.lower()}"


def _is_volatile(field: models.Field) -> bool:
    if callable(getattr(field, "default", None)) and field.default is not models.NOT_PROVIDED:
        return True
    db_default = getattr(field, "db_default", models.NOT_PROVIDED)
    constant = not hasattr(db_default, "resolve_expression") or isinstance(db_default, models.Value)
    return db_default is not models.NOT_PROVIDED and not constant


def _has_default(field: models.Field) -> bool:
    # A blank text column without a default is added with DEFAULT '' (Django's effective default).
    blank_text = field.blank and field.empty_strings_allowed
    return field.has_default() or blank_text or getattr(field, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED


def _builds_index(field: models.Field) -> bool:
    return bool(field.db_index or field.unique or (field.is_relation and field.many_to_one and field.db_constraint))


def _field_problems(old: models.Field | None, new: models.Field) -> list[str]:
    """Why changing a big table's column from `old` (None: adding it) to `new` locks the table."""
    if new.many_to_many:
        return []
    why = []
    if old is None:
        if not new.null and not _has_default(new):
            why.append("NOT NULL without a default: add it nullable, backfill @batched, then constrain")
        if not new.null and _is_volatile(new):
            why.append("NOT NULL with a volatile default: every existing row gets one value or the table is rewritten")
        if _builds_index(new):
            why.append("an indexed, unique or foreign-key column builds its index and checks its constraint under the lock")
        return why
    if _column_type(old) != _column_type(new) and not _widens_varchar(old, new):
        why.append(f"the column's type changes ({_column_type(old)} → {_column_type(new)}): the table is rewritten")
    if old.null and not new.null:
        why.append("NULL → NOT NULL scans the whole table under ACCESS EXCLUSIVE")
    if _builds_index(new) and not _builds_index(old):
        why.append("a new index or unique constraint is built under the lock")
    if new.is_relation and old.is_relation and new.db_constraint and not old.db_constraint:
        why.append("a new foreign-key constraint is validated under the lock")
    return why


def _column_type(field: models.Field) -> str:
    """The column type, or for a foreign key the model it points to (its type follows that key's)."""
    if field.is_relation:
        return f"key of {str(field.remote_field.model).lower()}"
    return str(field.db_type(connection))


def _widens_varchar(old: models.Field, new: models.Field) -> bool:
    both = isinstance(old, models.CharField) and isinstance(new, models.CharField)
    return both and (new.max_length is None or (old.max_length or 0) <= new.max_length)


def _sql_text(op: migrations.RunSQL) -> str:
    parts = op.sql if isinstance(op.sql, (list, tuple)) else [op.sql]
    return "\n".join(p if isinstance(p, str) else str(p[0]) for p in parts)


def check_migration(app: str, name: str, migration: migrations.Migration, state: ProjectState) -> list[Problem]:
    """The problems of one migration, given the project state before it (advanced as it goes)."""
    problems: list[Problem] = []
    created: set[str] = set()  # tables this migration creates: empty, anything goes
    state = state.clone()

    def big(table: str, label: str | None = None) -> bool:
        return table not in created and (label or "") not in SMALL_TABLES

    def refuse(op, why: str) -> None:
        problems.append(Problem(app, name, op.describe(), why))

    def walk(ops) -> None:
        for op in ops:
            if isinstance(op, migrations.SeparateDatabaseAndState):
                walk(op.database_operations)
                for state_op in op.state_operations:
                    state_op.state_forwards(app, state)
                continue
            inspect(op)
            op.state_forwards(app, state)

    def inspect(op) -> None:
        if isinstance(op, migrations.CreateModel):
            created.add(_table(ProjectState(), app, op.name) if not op.options.get("db_table") else op.options["db_table"])
            return
        if isinstance(op, SAFE_CONCURRENT):
            if migration.atomic:
                refuse(op, "a concurrent index operation needs `atomic = False` on its migration")
            return
        if isinstance(op, SAFE_CONSTRAINT):
            return
        model_name = getattr(op, "model_name", None) or getattr(op, "name", None)
        table = _table(state, app, model_name) if model_name else ""
        label = _label(state, app, model_name) if model_name else ""
        if isinstance(op, INDEX_OPS) and big(table, label):
            refuse(op, "CREATE/DROP INDEX blocks writes to the table: use AddIndexConcurrently / "
                       "RemoveIndexConcurrently with atomic = False")
        elif isinstance(op, migrations.AddConstraint) and big(table, label):
            refuse(op, "ADD CONSTRAINT scans the table under ACCESS EXCLUSIVE: AddConstraintNotValid + "
                       "ValidateConstraint, or a unique index built concurrently")
        elif isinstance(op, migrations.AddField) and big(table, label):
            for why in _field_problems(None, op.field):
                refuse(op, why)
        elif isinstance(op, migrations.AlterField) and big(table, label):
            old = state.models[(app, op.model_name.lower())].fields[op.name]
            for why in _field_problems(old, op.field):
                refuse(op, why)
        elif isinstance(op, migrations.RunPython):
            marks = rows_of(op.code)
            if marks is None:
                refuse(op, "say how the function touches rows: @vanthu.migrating.batched or @few_rows")
            elif marks == "batched" and migration.atomic:
                refuse(op, "a @batched data migration needs `atomic = False`, or its batches share one transaction")
        elif isinstance(op, migrations.RunSQL):
            sql = _sql_text(op)
            created.update(t.lower() for t in CREATE_TABLE.findall(sql))
            for pattern, what in SQL_RULES:
                for match in pattern.finditer(sql):
                    target = match.groups()[-1].lower()
                    if target not in created:
                        refuse(op, f"{what} on {target}")

    walk(migration.operations)
    return problems


def all_problems() -> dict[tuple[str, str], list[Problem]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = vanthu_apps()
    found: dict[tuple[str, str], list[Problem]] = {}
    for key in sorted(loader.graph.nodes):
        if key[0] not in ours:
            continue
        state = loader.project_state(key, at_end=False)
        problems = check_migration(key[0], key[1], loader.graph.nodes[key], state)
        if problems:
            found[key] = problems
    return found


@pytest.fixture(scope="module")
def problems() -> dict[tuple[str, str], list[Problem]]:
    return all_problems()


def test_every_migration_keeps_big_tables_writable(problems):
    new = [str(p) for key, found in problems.items() if key not in HISTORICAL for p in found]
    assert not new, "migrations that lock a big table (see this test's docstring for the safe patterns):\n" + "\n".join(new)


def test_the_historical_list_names_only_migrations_that_need_it(problems):
    """The allow-list shrinks when a migration is fixed and never names one that does not exist."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert not set(HISTORICAL) - set(loader.graph.nodes), "HISTORICAL names migrations that do not exist"
    assert not set(HISTORICAL) - set(problems), "HISTORICAL names migrations that break no rule"


# --- the check itself catches what it claims -------------------------------------------------------

def _one(operations, *, atomic: bool = True, state_of: str = "documents") -> list[Problem]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaf = loader.graph.leaf_nodes(state_of)[0]
    migration = type("Migration", (migrations.Migration,), {"atomic": atomic})("9999_probe", state_of)
    migration.operations = operations
    return check_migration(state_of, "9999_probe", migration, loader.project_state(leaf))


def test_the_check_refuses_the_locking_patterns_and_accepts_the_safe_ones():
    index = models.Index(fields=["subject"], name="probe_subject")
    assert _one([migrations.AddIndex("document", index)])
    assert _one([pg_operations.AddIndexConcurrently("document", index)])  # atomic: refused
    assert not _one([pg_operations.AddIndexConcurrently("document", index)], atomic=False)
    assert not _one([migrations.AddIndex("documenttype", models.Index(fields=["code"], name="probe_code"))])
    check = models.CheckConstraint(condition=models.Q(id__gt=0), name="probe_positive")
    assert _one([migrations.AddConstraint("delivery", check)])
    assert not _one([pg_operations.AddConstraintNotValid("delivery", check), pg_operations.ValidateConstraint("delivery", "probe_positive")])
    assert _one([migrations.AddField("document", "probe", models.IntegerField())])  # NOT NULL, no default
    assert _one([migrations.AddField("document", "probe", models.DateTimeField(default=lambda: None))])
    assert _one([migrations.AddField("document", "probe", models.CharField(max_length=8, db_index=True, default=""))])
    assert not _one([migrations.AddField("document", "probe", models.CharField(max_length=8, default=""))])
    assert not _one([migrations.AddField("document", "probe", models.IntegerField(null=True))])
    assert _one([migrations.AlterField("document", "subject", models.IntegerField())])
    assert not _one([migrations.AlterField("document", "symbol", models.CharField(max_length=500, blank=True))])
    # A model created in the same migration is empty.
    fields = [("id", models.BigAutoField(primary_key=True)), ("n", models.IntegerField())]
    assert not _one([migrations.CreateModel("Probe", fields), migrations.AddIndex("probe", models.Index(fields=["n"], name="probe_n"))])
    assert _one([migrations.RunSQL("CREATE INDEX probe_x ON documents_document (subject)")])
    assert not _one([migrations.RunSQL("CREATE INDEX CONCURRENTLY probe_x ON documents_document (subject)")], atomic=False)
    assert not _one([migrations.RunSQL("CREATE TABLE probe_t (id int); CREATE INDEX probe_i ON probe_t (id)")])
    assert _one([migrations.RunSQL("ALTER TABLE documents_delivery ALTER COLUMN note TYPE text")])
    assert _one([migrations.RunPython(lambda apps, editor: None)])
