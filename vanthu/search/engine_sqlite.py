"""SQLite FTS5 engine.

`search_text` keeps each document's index row (for snippets, and to delete its FTS entry);
`search_fts` is a contentless FTS5 table over: orgs (permission tokens), meta (type, status,
urgency tokens), title_f/body_f (folded text, with positions for phrases) and title_x/body_x
(only the words that carry diacritics, for ranking exact matches first). The FTS rowid is the
document id, so `ORDER BY rowid DESC LIMIT n` walks the newest matches and stops early.

`search_head` is a second, small contentless FTS5 table over the head (number and symbol, type,
subject) and the sender's words (`engine.head_index_text`), with the same permission and filter
tokens: "these words in the subject" is a lookup in short doclists instead of a walk through every
position of every body holding them. `search_words` is the vocabulary typo correction looks in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .engine import (
    EXTRA_WINDOW,
    SCORE_BODY_CHARS,
    WINDOW,
    Hit,
    IndexRow,
    Result,
    Spec,
    Texts,
    check_token,
    head_index_text,
    head_queries,
    join_title,
    needs_more,
    rank_candidates,
    vocabulary,
)
from .fold import diacritic_tokens, fold
from .query import Clause, ParsedQuery, parse

HEAD_DDL = """CREATE VIRTUAL TABLE IF NOT EXISTS search_head USING fts5(
    orgs, meta, head, content='', tokenize='unicode61 remove_diacritics 0')"""
WORDS_DDL = "CREATE TABLE IF NOT EXISTS search_words (word TEXT PRIMARY KEY) WITHOUT ROWID"
DDL = [
    """CREATE TABLE IF NOT EXISTS search_text (
        id INTEGER PRIMARY KEY, day INTEGER NOT NULL, orgs TEXT NOT NULL, meta TEXT NOT NULL,
        title TEXT NOT NULL, body TEXT NOT NULL, parties TEXT NOT NULL DEFAULT '')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        orgs, meta, title_f, body_f, title_x, body_x,
        content='', tokenize='unicode61 remove_diacritics 0')""",
    HEAD_DDL,
    WORDS_DDL,
    # Covering (id, day): a date filter reads this small index, not the wide text rows.
    "CREATE INDEX IF NOT EXISTS search_text_day ON search_text(id, day)",
]
DROP = ["DROP TABLE IF EXISTS search_words", "DROP TABLE IF EXISTS search_head", "DROP TABLE IF EXISTS search_fts", "DROP TABLE IF EXISTS search_text"]

PHRASE_REACH = 1 << 16  # documents (by id, newest) a phrase is looked for in bodies, beyond the window

# bm25 column weights: orgs, meta, title_f, body_f, title_x, body_x.
BM25 = "bm25(search_fts, 0.0, 0.0, 4.0, 1.0, 0.0, 0.0)"


def create_schema(cur) -> None:
    for sql in DDL:
        cur.execute(sql)


def drop_schema(cur) -> None:
    for sql in DROP:
        cur.execute(sql)


def _fts_values(orgs: str, meta: str, title: str, parties: str, body: str) -> tuple[str, ...]:
    # The folded text goes in as is: FTS5's unicode61 splits it exactly like TOKEN_RE.
    full = join_title(title, parties)
    return (orgs, meta, fold(full), fold(body), " ".join(diacritic_tokens(full)), " ".join(diacritic_tokens(body)))


def _head_values(orgs: str, meta: str, title: str, parties: str) -> tuple[str, ...]:
    return (orgs, meta, fold(head_index_text(title, parties)))


def fill_head(cur, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
    """Index the heads of (id, orgs, meta, title, parties) rows (also what migration 0005 runs)."""
    cur.executemany("INSERT INTO search_head(rowid, orgs, meta, head) VALUES (?, ?, ?, ?)",
                    [(i, *_head_values(orgs, meta, title, parties)) for i, orgs, meta, title, parties in rows])


def delete(cur, ids: Sequence[int]) -> None:
    """Remove rows; a contentless FTS5 delete needs the values that were indexed."""
    for i in range(0, len(ids), 500):
        chunk = list(ids[i:i + 500])
        marks = ",".join("?" * len(chunk))
        cur.execute(f"SELECT id, orgs, meta, title, parties, body FROM search_text WHERE id IN ({marks})", chunk)
        old = cur.fetchall()
        cur.executemany(
            "INSERT INTO search_fts(search_fts, rowid, orgs, meta, title_f, body_f, title_x, body_x)"
            " VALUES('delete', ?, ?, ?, ?, ?, ?, ?)",
            [(r[0], *_fts_values(r[1], r[2], r[3], r[4], r[5])) for r in old],
        )
        cur.executemany("INSERT INTO search_head(search_head, rowid, orgs, meta, head) VALUES('delete', ?, ?, ?, ?)",
                        [(r[0], *_head_values(r[1], r[2], r[3], r[4])) for r in old])
        cur.execute(f"DELETE FROM search_text WHERE id IN ({marks})", chunk)


def upsert(cur, rows: Iterable[IndexRow]) -> int:
    rows = list(rows)
    delete(cur, [r.id for r in rows])
    return insert_new(cur, rows)


def insert_new(cur, rows: Sequence[IndexRow]) -> int:
    """Insert rows known not to be indexed yet (bulk builds)."""
    text_rows, fts_rows, head_rows = [], [], []
    for r in rows:
        orgs, meta = r.orgs, r.meta
        text_rows.append((r.id, r.day, orgs, meta, r.title, r.parties, r.body))
        fts_rows.append((r.id, *_fts_values(orgs, meta, r.title, r.parties, r.body)))
        head_rows.append((r.id, orgs, meta, r.title, r.parties))
    cur.executemany("INSERT INTO search_text(id, day, orgs, meta, title, parties, body) VALUES (?, ?, ?, ?, ?, ?, ?)", text_rows)
    cur.executemany(
        "INSERT INTO search_fts(rowid, orgs, meta, title_f, body_f, title_x, body_x) VALUES (?, ?, ?, ?, ?, ?, ?)",
        fts_rows,
    )
    fill_head(cur, head_rows)
    add_words(cur, vocabulary(rows))
    return len(rows)


def add_words(cur, words: Sequence[str]) -> None:
    """Words for typo correction; never removed (a stale one corrects to a query that finds nothing)."""
    cur.executemany("INSERT OR IGNORE INTO search_words(word) VALUES (?)", [(w,) for w in words])


def known_words(cur, words: Sequence[str]) -> set[str]:
    out: set[str] = set()
    words = list(words)
    for i in range(0, len(words), 500):
        chunk = words[i:i + 500]
        cur.execute(f"SELECT word FROM search_words WHERE word IN ({','.join('?' * len(chunk))})", chunk)
        out.update(r[0] for r in cur.fetchall())
    return out


def clear(cur) -> None:
    cur.execute("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
    cur.execute("INSERT INTO search_head(search_head) VALUES('delete-all')")
    cur.execute("DELETE FROM search_words")
    cur.execute("DELETE FROM search_text")


def indexed_ids(cur) -> set[int]:
    cur.execute("SELECT id FROM search_text")
    return {r[0] for r in cur.fetchall()}


# --- queries ---------------------------------------------------------------------------------

def _q(tok: str) -> str:
    return f'"{check_token(tok)}"'


def _clause(c: Clause) -> str:
    phrase = '"' + " ".join(check_token(t) for t in c.tokens) + '"'
    return phrase + ("*" if c.prefix else "")


def text_expr(clauses: Sequence[Clause]) -> str:
    return " AND ".join(_clause(c) for c in clauses)


def match_expr(spec: Spec, *, with_exact: bool = False, query: ParsedQuery | None = None,
               head: bool = False) -> str | None:
    """The MATCH expression of `search_fts` (of `search_head` when `head`) for `query` (the spec's
    by default), with the person's organisations and the filters."""
    org_toks = spec.org_tokens()
    if not org_toks:
        return None
    query = query or spec.query
    parts = ["orgs : (" + " OR ".join(_q(t) for t in org_toks) + ")"]
    for m in spec.meta_filters():
        parts.append(f"meta : {_q(m)}")
    if query.clauses:
        parts.append(("head" if head else "{title_f body_f}") + " : (" + text_expr(query.clauses) + ")")
    if with_exact:
        parts.append("{title_x body_x} : (" + " AND ".join(_q(t) for t in spec.query.exact_tokens) + ")")
    return " AND ".join(parts)


def need_to_know_sql(spec: Spec, id_col: str) -> tuple[str, list]:
    """Where the person sees some organisations only as far as they need to know: a row matched
    through one of those is kept only if it also holds a token of an organisation seen whole (read
    from its `search_text` row, a primary-key lookup) or its id is one of the subqueries'."""
    if not spec.narrow_org_ids:
        return "", []
    conds, params = [], []
    full = spec.full_tokens()
    if full:
        conds.append("EXISTS (SELECT 1 FROM search_text p WHERE p.id = " + id_col + " AND ("
                     + " OR ".join(["instr(' ' || p.orgs || ' ', ?) > 0"] * len(full)) + "))")
        params += [f" {t} " for t in full]
    for sql, sql_params in spec.narrow_sql:
        conds.append(f"{id_col} IN ({sql})")
        params += list(sql_params)
    return " AND (" + " OR ".join(conds) + ")", params


def _date_sql(spec: Spec, table: str = "search_fts") -> tuple[str, str, list]:
    """The join and conditions the filters outside the MATCH add: dates, and the documents a
    person sees on a need-to-know basis (`need_to_know_sql`)."""
    ids_where, ids_params = need_to_know_sql(spec, f"{table}.rowid")
    if spec.hidden_sql:  # handed over to the archive (Django's cursor turns the %s into ?)
        sql, sql_params = spec.hidden_sql
        ids_where += f" AND {table}.rowid NOT IN ({sql})"
        ids_params = [*ids_params, *sql_params]
    if spec.date_from is None and spec.date_to is None:
        return "", ids_where, ids_params
    conds, params = [], []
    if spec.date_from is not None:
        conds.append("d.day >= ?")
        params.append(spec.date_from)
    if spec.date_to is not None:
        conds.append("d.day <= ?")
        params.append(spec.date_to)
    return (f" JOIN search_text d INDEXED BY search_text_day ON d.id = {table}.rowid",
            " AND " + " AND ".join(conds) + ids_where, params + ids_params)


def _newest(cur, spec: Spec, expr: str, limit: int, *, table: str = "search_fts", floor: int = 0) -> list[int]:
    join, where, dparams = _date_sql(spec, table)
    if floor:
        where += f" AND {table}.rowid >= {int(floor)}"
    cur.execute(f"SELECT {table}.rowid FROM {table}{join} WHERE {table} MATCH ?{where} ORDER BY {table}.rowid DESC LIMIT ?",
                [expr, *dparams, limit])
    return [r[0] for r in cur.fetchall()]


def _floor(cur) -> int:
    """The lowest id a phrase is looked for in the bodies: the newest PHRASE_REACH documents.
    A phrase whose words are common but never side by side would otherwise have FTS5 check the
    positions in every body holding them (FTS5 tests a phrase before the permission tokens)."""
    cur.execute("SELECT max(id) FROM search_text")
    top = cur.fetchone()[0] or 0
    return max(0, top - PHRASE_REACH)


def search(cur, spec: Spec) -> Result:
    expr = match_expr(spec)
    if expr is None:
        return Result()
    join, where, dparams = _date_sql(spec)
    base = f"FROM search_fts{join} WHERE search_fts MATCH ?{where}"
    page = f"SELECT search_fts.rowid {base} ORDER BY search_fts.rowid DESC LIMIT ? OFFSET ?"
    # Counting stops one past the cap: FTS5 walks the newest matches first and stops there.
    cur.execute(f"SELECT count(*) FROM ({page})", [expr, *dparams, Result.count_limit(), 0])
    result = Result.capped(cur.fetchone()[0])
    if result.past_end(spec.offset):
        return result
    if spec.order == "newest" or not spec.query.clauses:
        cur.execute(page, [expr, *dparams, spec.limit, spec.offset])
        result.hits = [Hit(id=r[0], score=0.0) for r in cur.fetchall()]
        return result
    # Relevance: the newest WINDOW matches (FTS5 walks rowids backwards and stops), ranked here.
    # No bm25(): it would read every match's doclist to weigh the terms, which is the bare cost.
    window = max(WINDOW, spec.offset + spec.limit)
    cur.execute(page, [expr, *dparams, window, 0])
    candidates = [r[0] for r in cur.fetchall()]
    exact_ids: set[int] = set()
    if spec.query.exact_tokens:
        cur.execute(page, [match_expr(spec, with_exact=True), *dparams, window, 0])
        exact_ids = {r[0] for r in cur.fetchall()}
        candidates += sorted(exact_ids - set(candidates), reverse=True)
    if needs_more(result, candidates):
        # Narrower queries reach further back: the words in the head, the words side by side.
        for query, head in head_queries(spec.query):
            expr = match_expr(spec, query=query, head=head)
            if head:  # short doclists: the whole index is reached
                candidates += _newest(cur, spec, expr, EXTRA_WINDOW, table="search_head")
            else:
                candidates += _newest(cur, spec, expr, EXTRA_WINDOW, floor=_floor(cur))
    texts = fetch_text(cur, candidates, body_chars=SCORE_BODY_CHARS)
    result.hits = rank_candidates(candidates, exact_ids, spec, texts)
    return result


def bare_search(cur, q: str, limit: int = 20) -> list[int]:
    """The bare engine (benchmark baseline): FTS5 MATCH ordered by bm25, no permissions."""
    clauses = parse(q).clauses
    cur.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY {BM25} LIMIT ?",
                ["{title_f body_f} : (" + text_expr(clauses) + ")", limit])
    return [r[0] for r in cur.fetchall()]


def fetch_orgs(cur, ids: Sequence[int]) -> dict[int, str]:
    """Each row's permission tokens (the benchmark checks every hit against them)."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i:i + 500])
        cur.execute(f"SELECT id, orgs FROM search_text WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        out.update(cur.fetchall())
    return out


def fetch_text(cur, ids: Sequence[int], body_chars: int | None = None) -> dict[int, Texts]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    body = f"substr(body, 1, {int(body_chars)})" if body_chars else "body"
    cur.execute(f"SELECT id, title, parties, {body}, day FROM search_text WHERE id IN ({marks})", ids)
    return {r[0]: Texts(r[1], r[2], r[3], r[4]) for r in cur.fetchall()}
