"""PostgreSQL engine: a tsvector built in Python (same folding as SQLite), GIN-indexed.

`search_text` keeps each document's index row (snippets); `search_tsv` is lean (id, day, tsv) so
that the bitmap heap scan behind a GIN match touches few pages. The tsvector holds, without
positions and starting with an upper-case letter (so no folded word or prefix ever matches them):
permission tokens `I<org>`/`R<org>`, filter tokens `T…`/`S…`/`U…`, the id block `B<id >> 14>`,
adjacent word pairs `P<a>_<b>`, the head's words `H<word>` (number and symbol, type, subject, and the
sender's words: `engine.head_index_text`; "these words in the subject" is then an index lookup,
with no recheck) and the head's words that carry diacritics `X<word>`; and, with positions, the
folded title words (head and parties, weight A) and body words (weight B) for phrases and ranking.
The body's words are not indexed a second time with their diacritics: among the candidates,
exactness is read from their text (`rank_candidates`); they were a quarter of every document's
index entries.

`search_tsv` is split by hash of id into `PARTS` partitions, so that a full build creates their
GIN indexes side by side on every core (PostgreSQL 15 builds one GIN index on one core). The GIN
index build is most of the cost of indexing: each document has about 440 distinct lexemes.

Queries AND the permission tokens into the tsquery, so the GIN index intersects them with the
words; the newest `WINDOW` matches are taken (`ORDER BY id + 0 DESC` keeps the planner on the GIN
bitmap instead of walking the primary key and unpacking every tsvector), and only those are ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

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
    exact_tokens,
    head_index_text,
    head_queries,
    index_tokens,
    join_title,
    needs_more,
    rank_candidates,
    vocabulary,
)
from .query import Clause, ParsedQuery, parse

PARTS = 4  # hash partitions of search_tsv: a full build indexes them in parallel
DDL = [
    """CREATE TABLE IF NOT EXISTS search_text (
        id bigint PRIMARY KEY, day integer NOT NULL, orgs text NOT NULL, meta text NOT NULL,
        title text NOT NULL, body text NOT NULL, parties text NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS search_tsv (id bigint PRIMARY KEY, day integer NOT NULL, tsv tsvector NOT NULL)
        PARTITION BY HASH (id)""",
    *(f"CREATE TABLE IF NOT EXISTS search_tsv_{k} PARTITION OF search_tsv FOR VALUES WITH (MODULUS {PARTS}, REMAINDER {k})"
      for k in range(PARTS)),
    "CREATE TABLE IF NOT EXISTS search_words (word text PRIMARY KEY)",
    # No lexeme statistics: every query takes the GIN bitmap whatever they say (the window orders
    # by `id + 0`), and gathering them reads every sampled tsvector, 5% of a full build's time.
    *(f"ALTER TABLE search_tsv_{k} ALTER COLUMN tsv SET STATISTICS 0" for k in range(PARTS)),
]
INDEXES = ["CREATE INDEX IF NOT EXISTS search_tsv_gin ON search_tsv USING gin (tsv)"]
DROP = ["DROP TABLE IF EXISTS search_words", "DROP TABLE IF EXISTS search_tsv", "DROP TABLE IF EXISTS search_text"]
MAX_POS = 16383  # PostgreSQL's largest tsvector position
BUCKET_BITS = 14  # ids in blocks of 16384: token B<id >> 14> lets a query look at the newest blocks first
# The window query tries the newest 4 id blocks (65,536 documents) before all of them. Measured at a
# million documents: ORing more block tokens costs GIN more than it saves, and reading every
# match (to sort them) is what a common word or phrase costs without the first step.
STEPS = (4,)


def create_schema(cur, *, with_indexes: bool = True) -> None:
    for sql in DDL + (INDEXES if with_indexes else []):
        cur.execute(sql)


def create_indexes_parallel(connect: Callable[[], Any], workers: int) -> None:
    """Build the GIN index of each partition on its own connection, `workers` at a time, then
    attach them to the parent index; and vacuum and analyse the partitions the same way (a fresh
    bulk load has no visibility map, and counts read it to skip the heap)."""
    from concurrent.futures import ThreadPoolExecutor

    def on_own_connection(sqls: list[str]) -> None:
        with connect() as conn:
            conn.autocommit = True
            for sql in sqls:
                conn.execute(sql)

    with connect() as conn:
        conn.autocommit = True
        conn.execute("CREATE INDEX IF NOT EXISTS search_tsv_gin ON ONLY search_tsv USING gin (tsv)")
        jobs = [[f"VACUUM ANALYZE search_tsv_{k}",
                 f"CREATE INDEX IF NOT EXISTS search_tsv_{k}_tsv_idx ON search_tsv_{k} USING gin (tsv)"] for k in range(PARTS)]
        jobs.append(["ANALYZE search_text"])  # read by primary key only: no visibility map needed
        # Threads only wait on sockets: the work runs in the database's own processes.
        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(on_own_connection, jobs))
        for k in range(PARTS):
            conn.execute(f"ALTER INDEX search_tsv_gin ATTACH PARTITION search_tsv_{k}_tsv_idx")
        conn.execute("ANALYZE search_tsv")


def drop_schema(cur) -> None:
    for sql in DROP:
        cur.execute(sql)


def _positioned(tokens: list[str], first: int, weight: str) -> list[str]:
    last = first + len(tokens) - 1
    if last <= MAX_POS:
        return [f"'{tok}':{pos}{weight}" for pos, tok in enumerate(tokens, first)]
    return [f"'{tok}':{min(pos, MAX_POS)}{weight}" for pos, tok in enumerate(tokens, first)]


def bucket_of(doc_id: int) -> int:
    return doc_id >> BUCKET_BITS


def _bigrams(tokens: list[str]) -> set[str]:
    return {f"P{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)}


def tsvector_literal(doc_id: int, orgs: str, meta: str, title: str, body: str, parties: str = "") -> str:
    """The tsvector as text, built here so both engines see exactly the same tokens."""
    title_toks = index_tokens(join_title(title, parties))
    head_toks = index_tokens(head_index_text(title, parties))
    body_toks = index_tokens(body)
    parts = [f"'{check_token(t.upper())}'" for t in (orgs + " " + meta).split()]
    parts.append(f"'B{bucket_of(doc_id)}'")
    parts += _positioned(title_toks, 1, "A")
    parts += _positioned(body_toks, len(title_toks) + 2, "B")  # a gap: no phrase across the two
    # Adjacent word pairs, without positions: phrases are counted from the index alone.
    parts += [f"'{bg}'" for bg in _bigrams(title_toks) | _bigrams(body_toks)]
    parts += [f"'H{tok}'" for tok in dict.fromkeys(head_toks)]
    parts += [f"'X{tok}'" for tok in exact_tokens(title)]
    return " ".join(parts)


def delete(cur, ids: Sequence[int]) -> None:
    ids = list(ids)
    cur.execute("DELETE FROM search_tsv WHERE id = ANY(%s)", [ids])
    cur.execute("DELETE FROM search_text WHERE id = ANY(%s)", [ids])


def upsert(cur, rows: Iterable[IndexRow]) -> int:
    rows = list(rows)
    delete(cur, [r.id for r in rows])
    return insert_new(cur, rows)


def insert_new(cur, rows: Sequence[IndexRow]) -> int:
    text_rows, tsv_rows = [], []
    for r in rows:
        orgs, meta = r.orgs, r.meta
        text_rows.append((r.id, r.day, orgs, meta, r.title, r.parties, r.body))
        tsv_rows.append((r.id, r.day, tsvector_literal(r.id, orgs, meta, r.title, r.body, r.parties)))
    cur.executemany("INSERT INTO search_text(id, day, orgs, meta, title, parties, body) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    text_rows)
    cur.executemany("INSERT INTO search_tsv(id, day, tsv) VALUES (%s, %s, %s::tsvector)", tsv_rows)
    add_words(cur, vocabulary(rows))
    return len(rows)


def add_words(cur, words: Sequence[str]) -> None:
    """Words for typo correction; never removed (a stale one corrects to a query that finds nothing)."""
    if words:
        cur.execute("INSERT INTO search_words(word) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", [list(words)])


def known_words(cur, words: Sequence[str]) -> set[str]:
    cur.execute("SELECT word FROM search_words WHERE word = ANY(%s)", [list(words)])
    return {r[0] for r in cur.fetchall()}


def clear(cur) -> None:
    cur.execute("DELETE FROM search_tsv")
    cur.execute("DELETE FROM search_words")
    cur.execute("DELETE FROM search_text")


def indexed_ids(cur) -> set[int]:
    cur.execute("SELECT id FROM search_text")
    return {r[0] for r in cur.fetchall()}


# --- queries ---------------------------------------------------------------------------------

def _clause(c: Clause, *, for_count: bool = False) -> str:
    toks = [check_token(t) for t in c.tokens]
    if len(toks) == 1:
        return f"'{toks[0]}'" + (":*" if c.prefix else "")
    pairs = [f"'P{a}_{b}'" for a, b in zip(toks, toks[1:], strict=False)]
    if len(toks) == 2 and not c.prefix:
        return pairs[0]  # a two-word phrase is exactly its adjacent-pair token: no positions needed
    phrase = "(" + " <-> ".join(f"'{t}'" for t in toks) + (":*" if c.prefix else "") + ")"
    if c.prefix:
        pairs = pairs[:-1]
    if for_count and pairs:
        # Adjacent pairs need no recheck of the stored tsvector, so counting stays in the index;
        # for phrases of three words or more, nearly exact.
        tail = [f"'{toks[-1]}':*"] if c.prefix else []
        return "(" + " & ".join(pairs + tail) + ")"
    return "(" + " & ".join([*pairs, phrase]) + ")"


def _head_clause(c: Clause) -> str:
    """Every word of the clause in the head (`H…`); a phrase's words also side by side somewhere
    (its pairs): no recheck, nearly "the phrase in the head"."""
    parts = [f"'H{check_token(t)}'" for t in c.tokens]
    if c.prefix:
        parts[-1] += ":*"
    if len(c.tokens) > 1:
        parts.append(_clause(c, for_count=True))
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def text_query(clauses: Sequence[Clause], *, for_count: bool = False, head: bool = False) -> str:
    if head:
        return " & ".join(_head_clause(c) for c in clauses)
    return " & ".join(_clause(c, for_count=for_count) for c in clauses)


def full_query(spec: Spec, *, with_exact: bool = False, for_count: bool = False,
               query: ParsedQuery | None = None, head: bool = False) -> str | None:
    """The tsquery for `query` (the spec's by default; in the head only when `head`), with the
    person's organisations and the filters."""
    org_toks = spec.org_tokens()
    if not org_toks:
        return None
    query = query or spec.query
    parts = ["(" + " | ".join(f"'{check_token(t.upper())}'" for t in org_toks) + ")"]
    parts += [f"'{check_token(m.upper())}'" for m in spec.meta_filters()]
    if query.clauses:
        parts.append(text_query(query.clauses, for_count=for_count, head=head))
    if with_exact:
        parts += [f"'X{check_token(t)}'" for t in spec.query.exact_tokens]
    return " & ".join(parts)


def _date_sql(spec: Spec) -> tuple[str, list]:
    conds, params = "", []
    if spec.date_from is not None:
        conds += " AND day >= %s"
        params.append(spec.date_from)
    if spec.date_to is not None:
        conds += " AND day <= %s"
        params.append(spec.date_to)
    if spec.narrow_org_ids:  # need to know: see need_to_know_sql
        more, more_params = need_to_know_sql(spec)
        conds += more
        params += more_params
    if spec.hidden_sql:  # handed over to the archive: an anti-join, hashed once per query
        sql, sql_params = spec.hidden_sql
        conds += f" AND id NOT IN ({sql})"
        params += list(sql_params)
    return conds, params


def need_to_know_sql(spec: Spec) -> tuple[str, list]:
    """Where the person sees some organisations only as far as they need to know: a row matched
    through one of those is kept only if it also holds a token of an organisation seen whole (read
    from its `search_text` row by primary key: the tsvector is not detoasted) or its id is one of
    the subqueries' (each small, planned once as a hashed subplan)."""
    conds, params = [], []
    full = spec.full_tokens()
    if full:
        conds.append("EXISTS (SELECT 1 FROM search_text p WHERE p.id = search_tsv.id"
                     " AND string_to_array(p.orgs, ' ') && %s::text[])")
        params.append(full)
    for sql, sql_params in spec.narrow_sql:
        conds.append(f"search_tsv.id IN ({sql})")
        params += list(sql_params)
    return " AND (" + " OR ".join(conds) + ")", params


def _top_bucket(cur) -> int:
    cur.execute("SELECT max(id) FROM search_tsv")
    top = cur.fetchone()[0]
    return bucket_of(top) if top else 0


def _newest_first(tsq: str, top: int):
    """(query, is_everything) pairs: the newest id blocks first, then all of them."""
    for span in STEPS:
        if span <= top:
            yield tsq + " & (" + " | ".join(f"'B{b}'" for b in range(top - span + 1, top + 1)) + ")", False
    yield tsq, True


def _window(cur, tsq: str, spec: Spec, limit: int, offset: int = 0, top: int | None = None) -> list[int]:
    """Ids of the newest matches, newest first.

    Looks at the newest id blocks first, so a common word costs what its recent matches cost,
    not what all its matches cost.
    """
    where, dparams = _date_sql(spec)
    rows: list[int] = []
    for q, everything in _newest_first(tsq, _top_bucket(cur) if top is None else top):
        cur.execute(f"SELECT id FROM search_tsv WHERE tsv @@ %s::tsquery{where} ORDER BY id + 0 DESC LIMIT %s OFFSET %s",
                    [q, *dparams, limit, offset])
        rows = [r[0] for r in cur.fetchall()]
        if everything or len(rows) >= limit:
            return rows
    return rows


def _count(cur, tsq: str, spec: Spec) -> Result:
    """Matches, exact up to COUNT_CAP. `tsq` needs no recheck, so the GIN bitmap does the work and
    the heap scan stops one past the cap."""
    where, dparams = _date_sql(spec)
    cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_tsv WHERE tsv @@ %s::tsquery{where} LIMIT %s) m",
                [tsq, *dparams, Result.count_limit()])
    return Result.capped(cur.fetchone()[0])


def search(cur, spec: Spec) -> Result:
    tsq = full_query(spec)
    if tsq is None:
        return Result()
    result = _count(cur, full_query(spec, for_count=True), spec)
    if result.past_end(spec.offset):
        return result
    if spec.order == "newest" or not spec.query.clauses:
        result.hits = [Hit(id=i, score=0.0) for i in _window(cur, tsq, spec, spec.limit, spec.offset)]
        return result
    # Relevance: the newest WINDOW matches, ranked here (ts_rank over every match is the bare cost).
    window = max(WINDOW, spec.offset + spec.limit)
    top = _top_bucket(cur)
    candidates = _window(cur, tsq, spec, window, top=top)
    exact_ids: set[int] = set()
    if spec.query.exact_tokens:
        exact_ids = set(_window(cur, full_query(spec, with_exact=True), spec, window, top=top))
        candidates += sorted(exact_ids - set(candidates), reverse=True)
    if needs_more(result, candidates):
        # Narrower queries reach further back: the words in the head, the words side by side
        # (their pairs: no recheck, so the whole index is reached at the cost of its GIN lookup).
        for query, head in head_queries(spec.query):
            candidates += _window(cur, full_query(spec, query=query, head=head, for_count=True), spec, EXTRA_WINDOW, top=top)
    texts = fetch_text(cur, candidates, body_chars=SCORE_BODY_CHARS)
    result.hits = rank_candidates(candidates, exact_ids, spec, texts)
    return result


def _bare_clause(c: Clause) -> str:
    toks = [f"'{check_token(t)}'" for t in c.tokens]
    if c.prefix:
        toks[-1] += ":*"
    return toks[0] if len(toks) == 1 else "(" + " <-> ".join(toks) + ")"


def bare_search(cur, q: str, limit: int = 20) -> list[int]:
    """The bare engine (benchmark baseline): tsquery ordered by ts_rank, no permissions."""
    tq = " & ".join(_bare_clause(c) for c in parse(q).clauses)
    cur.execute("SELECT id FROM search_tsv WHERE tsv @@ %s::tsquery ORDER BY ts_rank(tsv, %s::tsquery) DESC LIMIT %s",
                [tq, tq, limit])
    return [r[0] for r in cur.fetchall()]


def fetch_orgs(cur, ids: Sequence[int]) -> dict[int, str]:
    """Each row's permission tokens (the benchmark checks every hit against them)."""
    cur.execute("SELECT id, orgs FROM search_text WHERE id = ANY(%s)", [list(ids)])
    return dict(cur.fetchall())


def fetch_text(cur, ids: Sequence[int], body_chars: int | None = None) -> dict[int, Texts]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    body = f"substr(body, 1, {int(body_chars)})" if body_chars else "body"
    cur.execute(f"SELECT id, title, parties, {body}, day FROM search_text WHERE id = ANY(%s)", [ids])
    return {r[0]: Texts(r[1], r[2], r[3], r[4]) for r in cur.fetchall()}


def copy_rows(cur, rows: Sequence[IndexRow]) -> int:
    """Bulk load with COPY (benchmark builds and full rebuilds on a raw psycopg cursor)."""
    with cur.copy("COPY search_text (id, day, orgs, meta, title, parties, body) FROM STDIN") as cp:
        for r in rows:
            cp.write_row((r.id, r.day, r.orgs, r.meta, r.title, r.parties, r.body))
    with cur.copy("COPY search_tsv (id, day, tsv) FROM STDIN") as cp:
        for r in rows:
            cp.write_row((r.id, r.day, tsvector_literal(r.id, r.orgs, r.meta, r.title, r.body, r.parties)))
    add_words(cur, vocabulary(rows))
    return len(rows)
