-- hks 0.1: hksearch's text rules, BM25 and snippets inside PostgreSQL.
\echo Use "CREATE EXTENSION hks" to load this file. \quit

-- ---- text-search parser, dictionaries, configuration -------------------
CREATE FUNCTION hks_prs_start(internal, int4) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_prs_start' LANGUAGE C STRICT;
CREATE FUNCTION hks_prs_gettoken(internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_prs_gettoken' LANGUAGE C STRICT;
CREATE FUNCTION hks_prs_end(internal) RETURNS void
    AS 'MODULE_PATHNAME', 'hkspg_prs_end' LANGUAGE C STRICT;
CREATE FUNCTION hks_prs_lextype(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_prs_lextype' LANGUAGE C STRICT;

CREATE TEXT SEARCH PARSER hks (
    START = hks_prs_start, GETTOKEN = hks_prs_gettoken,
    END = hks_prs_end, LEXTYPES = hks_prs_lextype);

CREATE FUNCTION hks_dict_init(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_dict_init' LANGUAGE C STRICT;
CREATE FUNCTION hks_keep_lexize(internal, internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_keep_lexize' LANGUAGE C STRICT;
CREATE FUNCTION hks_gap_lexize(internal, internal, internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hkspg_gap_lexize' LANGUAGE C STRICT;

CREATE TEXT SEARCH TEMPLATE hks_keep (INIT = hks_dict_init, LEXIZE = hks_keep_lexize);
CREATE TEXT SEARCH TEMPLATE hks_gap (INIT = hks_dict_init, LEXIZE = hks_gap_lexize);
CREATE TEXT SEARCH DICTIONARY hks_keep (TEMPLATE = hks_keep);
COMMENT ON TEXT SEARCH DICTIONARY hks_keep IS 'hksearch terms, already normalised by the hks parser';
CREATE TEXT SEARCH DICTIONARY hks_gap (TEMPLATE = hks_gap);
COMMENT ON TEXT SEARCH DICTIONARY hks_gap IS 'a separator: a stop word, so the position advances';

CREATE TEXT SEARCH CONFIGURATION hks (PARSER = hks);
ALTER TEXT SEARCH CONFIGURATION hks ADD MAPPING FOR bigram, unigram, word WITH hks_keep;
ALTER TEXT SEARCH CONFIGURATION hks ADD MAPPING FOR gap WITH hks_gap;
COMMENT ON TEXT SEARCH CONFIGURATION hks IS
    'hksearch: NFKC, case and width folding, traditional -> simplified, CJK bigrams + run-final unigram, words';

-- ---- queries, scores, snippets -------------------------------------------
CREATE FUNCTION hks_query(text) RETURNS tsquery
    AS 'MODULE_PATHNAME', 'hkspg_query' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION hks_query(text) IS 'an hksearch query (phrases, AND, OR, -, "...") as a tsquery';

CREATE FUNCTION hks_parse(query text,
    OUT tsq tsquery, OUT andq tsquery, OUT terms text[], OUT prefix bool[], OUT qtf int4[],
    OUT nterms text[], OUT nqtf int4[], OUT anyq tsquery, OUT is_natural bool,
    OUT may_fall_back bool)
    AS 'MODULE_PATHNAME', 'hkspg_parse' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hks_score(tsv tsvector, dl int4, terms text[], prefix bool[], w float8[],
    avgdl float8, k1 float8 DEFAULT 1.2, b float8 DEFAULT 0.75) RETURNS float8
    AS 'MODULE_PATHNAME', 'hkspg_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- hks_score with the terms as bytea[] (their bytes in the database's
-- encoding): an argument with no collation, which postgres_fdw ships to a
-- shard (it ships no call with a collatable constant argument).
CREATE FUNCTION hks_score_bytes(tsv tsvector, dl int4, terms bytea[], prefix bool[], w float8[],
    avgdl float8, k1 float8 DEFAULT 1.2, b float8 DEFAULT 0.75) RETURNS float8
    AS 'MODULE_PATHNAME', 'hkspg_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hks_bytes(terms text[]) RETURNS bytea[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT coalesce(array_agg(convert_to(u.t, pg_catalog.getdatabaseencoding()) ORDER BY u.o),
                            '{}')
              FROM unnest(terms) WITH ORDINALITY AS u(t, o));
CREATE FUNCTION hks_score_text(title text, body text, dl int4, terms text[], prefix bool[],
    w float8[], avgdl float8, k1 float8 DEFAULT 1.2, b float8 DEFAULT 0.75) RETURNS float8
    AS 'MODULE_PATHNAME', 'hkspg_score_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hks_match(title text, body text, query text) RETURNS bool
    AS 'MODULE_PATHNAME', 'hkspg_match' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION hks_length(text) RETURNS int4
    AS 'MODULE_PATHNAME', 'hkspg_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hks_lossy(tsvector) RETURNS bool
    AS 'MODULE_PATHNAME', 'hkspg_lossy' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hks_tsv_length(tsvector) RETURNS int4
    AS 'MODULE_PATHNAME', 'hkspg_tsv_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION hks_snippet(title text, body text, query text, max_chars int4 DEFAULT 80,
    open text DEFAULT '【', close text DEFAULT '】') RETURNS text
    AS 'MODULE_PATHNAME', 'hkspg_snippet' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ---- collection statistics -------------------------------------------------
-- One searched table per database: its document count, total length and
-- document frequency per term, kept current by the triggers hks_track()
-- puts on the table. A coordinator adds each shard's two tables as foreign
-- children (INHERITS), so the sums below are global.
CREATE TABLE hks_stats (n_docs bigint NOT NULL, n_tokens bigint NOT NULL);
INSERT INTO hks_stats VALUES (0, 0);
CREATE TABLE hks_df (term text COLLATE "C" PRIMARY KEY, df bigint NOT NULL);
SELECT pg_catalog.pg_extension_config_dump('hks_stats', '');
SELECT pg_catalog.pg_extension_config_dump('hks_df', '');

CREATE FUNCTION hks_fill() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    doc text := coalesce(NEW.title, '') || E'\n' || coalesce(NEW.body, '');
BEGIN
    NEW.tsv := to_tsvector('@extschema@.hks'::regconfig, doc);
    NEW.lossy := @extschema@.hks_lossy(NEW.tsv);
    NEW.dl := CASE WHEN NEW.lossy THEN @extschema@.hks_length(doc)
                   ELSE @extschema@.hks_tsv_length(NEW.tsv) END;
    RETURN NEW;
END $$;

CREATE FUNCTION hks_stats_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO @extschema@.hks_df AS d (term, df)
        SELECT u.lexeme, count(*) FROM hks_new, unnest(hks_new.tsv) AS u
        GROUP BY u.lexeme ORDER BY u.lexeme
    ON CONFLICT (term) DO UPDATE SET df = d.df + excluded.df;
    UPDATE @extschema@.hks_stats SET n_docs = n_docs + s.n, n_tokens = n_tokens + s.t
        FROM (SELECT count(*) AS n, coalesce(sum(dl), 0) AS t FROM hks_new) s;
    RETURN NULL;
END $$;

CREATE FUNCTION hks_stats_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE @extschema@.hks_df AS d SET df = d.df - o.n
        FROM (SELECT u.lexeme, count(*) AS n FROM hks_old, unnest(hks_old.tsv) AS u
              GROUP BY u.lexeme ORDER BY u.lexeme) o
        WHERE d.term = o.lexeme;
    DELETE FROM @extschema@.hks_df WHERE df <= 0;
    UPDATE @extschema@.hks_stats SET n_docs = n_docs - s.n, n_tokens = n_tokens - s.t
        FROM (SELECT count(*) AS n, coalesce(sum(dl), 0) AS t FROM hks_old) s;
    RETURN NULL;
END $$;

CREATE FUNCTION hks_stats_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO @extschema@.hks_df AS d (term, df)
        SELECT lexeme, sum(n) FROM (
            SELECT u.lexeme, 1 AS n FROM hks_new, unnest(hks_new.tsv) AS u
            UNION ALL
            SELECT u.lexeme, -1 FROM hks_old, unnest(hks_old.tsv) AS u) c
        GROUP BY lexeme HAVING sum(n) <> 0 ORDER BY lexeme
    ON CONFLICT (term) DO UPDATE SET df = d.df + excluded.df;
    DELETE FROM @extschema@.hks_df WHERE df <= 0;
    UPDATE @extschema@.hks_stats SET n_tokens = n_tokens + s.t
        FROM (SELECT (SELECT coalesce(sum(dl), 0) FROM hks_new)
                   - (SELECT coalesce(sum(dl), 0) FROM hks_old) AS t) s;
    RETURN NULL;
END $$;

CREATE FUNCTION hks_stats_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE @extschema@.hks_df;
    UPDATE @extschema@.hks_stats SET n_docs = 0, n_tokens = 0;
    RETURN NULL;
END $$;

-- Recompute the statistics from the table (after a load with the
-- statistics triggers disabled, or to check them).
CREATE FUNCTION hks_refresh(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE @extschema@.hks_df;
    EXECUTE format('INSERT INTO @extschema@.hks_df (term, df)
        SELECT u.lexeme, count(*) FROM %s t, unnest(t.tsv) AS u GROUP BY u.lexeme', tbl);
    EXECUTE format('UPDATE @extschema@.hks_stats SET n_docs = s.n, n_tokens = s.t
        FROM (SELECT count(*) AS n, coalesce(sum(dl), 0) AS t FROM %s) s', tbl);
END $$;

-- Make tbl searchable: it needs the columns title text, body text,
-- tsv tsvector, dl int4, lossy bool (the last three filled here).
CREATE FUNCTION hks_track(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER hks_fill BEFORE INSERT OR UPDATE OF title, body ON %s
        FOR EACH ROW EXECUTE FUNCTION @extschema@.hks_fill()', tbl);
    EXECUTE format('CREATE TRIGGER hks_stats_ins AFTER INSERT ON %s
        REFERENCING NEW TABLE AS hks_new
        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.hks_stats_add()', tbl);
    EXECUTE format('CREATE TRIGGER hks_stats_del AFTER DELETE ON %s
        REFERENCING OLD TABLE AS hks_old
        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.hks_stats_remove()', tbl);
    EXECUTE format('CREATE TRIGGER hks_stats_upd AFTER UPDATE ON %s
        REFERENCING OLD TABLE AS hks_old NEW TABLE AS hks_new
        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.hks_stats_change()', tbl);
    EXECUTE format('CREATE TRIGGER hks_stats_trunc AFTER TRUNCATE ON %s
        FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.hks_stats_reset()', tbl);
    PERFORM @extschema@.hks_refresh(tbl);
END $$;

-- Collection statistics of a parsed query: N, avgdl and the weight
-- (qtf * idf) of each term, idf = ln(1 + (N - df + 0.5) / (df + 0.5)) with
-- df summed over every node (a prefix: over every term starting with it,
-- at most N), as hksearch weighs them.
CREATE FUNCTION hks_weights(terms text[], prefix bool[], qtf int4[],
    OUT n_docs bigint, OUT avgdl float8, OUT w float8[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
    toks bigint;
    -- a prefix's upper bound, computed here: postgres_fdw ships d.term < a
    -- value to the shards, but not d.term < (an expression of it)
    past text[] := ARRAY(SELECT v.t || U&'\+10FFFF' FROM unnest(terms) WITH ORDINALITY AS v(t, o)
                         ORDER BY v.o);
BEGIN
    SELECT coalesce(sum(s.n_docs), 0), coalesce(sum(s.n_tokens), 0) INTO n_docs, toks
        FROM @extschema@.hks_stats s;
    avgdl := CASE WHEN n_docs > 0 THEN toks::float8 / n_docs ELSE 1 END;
    IF avgdl < 1 THEN
        avgdl := 1;
    END IF;
    SELECT array_agg(CASE WHEN x.df = 0 THEN 0::float8
                          ELSE x.q * greatest(ln(1 + (n_docs - x.df + 0.5) / (x.df + 0.5)), 1e-6)
                     END ORDER BY x.ord)
      INTO w
      FROM (SELECT u.ord, u.q, least(coalesce(CASE WHEN u.p THEN
                       (SELECT sum(d.df) FROM @extschema@.hks_df d
                         WHERE d.term >= u.t AND d.term < u.past)
                       ELSE e.df END, 0), n_docs)::float8 AS df
              FROM unnest(terms, prefix, qtf, past) WITH ORDINALITY AS u(t, p, q, past, ord)
              LEFT JOIN (SELECT d.term, sum(d.df) AS df FROM @extschema@.hks_df d
                          WHERE d.term = ANY(terms) GROUP BY d.term) e
                ON e.term = u.t AND NOT u.p) x;
    w := coalesce(w, '{}');
END $$;

-- The best k documents of tbl for an hksearch query, best first (ties by
-- collection, id): the strict matches by BM25, then, for a question (or a
-- plain query with no strict match), the others by BM25 over its terms.
-- Documents whose tsvector lost positions (lossy) are matched and scored
-- on their text, in a branch of their own, so that the other rows never
-- need their title and body (on a coordinator: never fetch them).
-- A partitioned tbl (on a coordinator: foreign partitions on the shards)
-- is searched partition by partition: each computes its own top k with the
-- global weights it is given (a query of one foreign table, so postgres_fdw
-- ships the match, the scoring, ORDER BY and LIMIT to the shard), and the
-- top k of the partitions' top k is the answer.
CREATE FUNCTION hks_topk_sql(tbl regclass, branches text[])
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    leaves regclass[];
BEGIN
    SELECT array_agg(p.relid ORDER BY p.relid::text) INTO leaves
      FROM pg_catalog.pg_partition_tree(tbl) p WHERE p.isleaf;
    IF leaves IS NULL OR leaves = ARRAY[tbl] THEN
        RETURN (SELECT string_agg(format(b, tbl), ' UNION ALL ')
                  FROM unnest(branches) b) || ' ORDER BY 3 DESC, 1, 2 LIMIT $8';
    END IF;
    -- The merge sorts on -score, not on the partitions' own order, so that
    -- the planner appends them (asking every shard at once: an Append of
    -- foreign scans runs them asynchronously, a Merge Append would not).
    RETURN 'SELECT * FROM ('
        || (SELECT string_agg('(' || format(b, l) || ' ORDER BY 3 DESC, 1, 2 LIMIT $8)',
                              ' UNION ALL ')
              FROM unnest(leaves) l, unnest(branches) b)
        || ') u (collection, id, score, exact) ORDER BY -u.score, u.collection, u.id LIMIT $8';
END $$;

CREATE FUNCTION hks_search(query text, k int4 DEFAULT 10, tbl text DEFAULT 'articles',
    k1 float8 DEFAULT 1.2, b float8 DEFAULT 0.75)
RETURNS TABLE (collection text, id text, score float8, exact bool)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    p record;
    s record;
    got bigint;
    t constant regclass := tbl::regclass;
    nf bool[];
BEGIN
    p := @extschema@.hks_parse(query);
    s := @extschema@.hks_weights(p.terms, p.prefix, p.qtf);
    RETURN QUERY EXECUTE @extschema@.hks_topk_sql(t, ARRAY[
        'SELECT a.collection, a.id,
                @extschema@.hks_score_bytes(a.tsv, a.dl, $11, $2, $3, $4, $9, $10), true
           FROM %1$s a WHERE NOT a.lossy AND a.tsv @@ $7',
        'SELECT a.collection, a.id,
                @extschema@.hks_score_text(a.title, a.body, a.dl, $1, $2, $3, $4, $9, $10), true
           FROM %1$s a WHERE a.lossy AND a.tsv @@ $5 AND @extschema@.hks_match(a.title, a.body, $6)'])
        USING p.terms, p.prefix, s.w, s.avgdl, p.andq, query, p.tsq, k, k1, b,
              @extschema@.hks_bytes(p.terms);
    GET DIAGNOSTICS got = ROW_COUNT;
    IF got >= k OR NOT (p.is_natural OR (got = 0 AND p.may_fall_back)) THEN
        RETURN;
    END IF;
    nf := array_fill(false, ARRAY[cardinality(p.nterms)]);
    s := @extschema@.hks_weights(p.nterms, nf, p.nqtf);
    RETURN QUERY EXECUTE @extschema@.hks_topk_sql(t, ARRAY[
        'SELECT a.collection, a.id,
                @extschema@.hks_score_bytes(a.tsv, a.dl, $12, $2, $3, $4, $9, $10), false
           FROM %1$s a WHERE NOT a.lossy AND a.tsv @@ $5 AND NOT a.tsv @@ $7',
        'SELECT a.collection, a.id,
                @extschema@.hks_score_text(a.title, a.body, a.dl, $1, $2, $3, $4, $9, $10), false
           FROM %1$s a WHERE a.lossy AND a.tsv @@ $5
            AND NOT (a.tsv @@ $11 AND @extschema@.hks_match(a.title, a.body, $6))'])
        USING p.nterms, nf, s.w, s.avgdl, p.anyq, query, p.tsq, k - got, k1, b, p.andq,
              @extschema@.hks_bytes(p.nterms);
END $$;
