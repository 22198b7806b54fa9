-- The same articles spread over two shard servers through postgres_fdw,
-- queried on a coordinator: the same top 10 with the same scores as the
-- single server (contrib_regression, the previous test), because N, avgdl and df
-- are summed over the shards.
\getenv datadir HKS_PG_DATA
\getenv port PGPORT
\getenv shard1 HKS_SHARD1_PORT
\getenv shard2 HKS_SHARD2_PORT
-- On each shard: the extension, the table and its statistics triggers.
\c postgres postgres 127.0.0.1 :shard1
CREATE DATABASE hks_shard;
\c hks_shard postgres 127.0.0.1 :shard1
CREATE EXTENSION hks;
CREATE TABLE articles (
    collection text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool, PRIMARY KEY (collection, id));
SELECT hks_track('articles');
CREATE INDEX articles_tsv ON articles USING gin (tsv);
\c postgres postgres 127.0.0.1 :shard2
CREATE DATABASE hks_shard;
\c hks_shard postgres 127.0.0.1 :shard2
CREATE EXTENSION hks;
CREATE TABLE articles (
    collection text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool, PRIMARY KEY (collection, id));
SELECT hks_track('articles');
CREATE INDEX articles_tsv ON articles USING gin (tsv);
-- On the coordinator: the shards as servers, the table partitioned over
-- them, and each shard's statistics as foreign children of hks_stats and
-- hks_df, so that the coordinator's sums are global.
\c postgres postgres 127.0.0.1 :port
CREATE DATABASE hks_coord;
\c hks_coord postgres 127.0.0.1 :port
CREATE EXTENSION hks;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (
    host '127.0.0.1', port :'shard1', dbname 'hks_shard', extensions 'hks', async_capable 'true');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw OPTIONS (
    host '127.0.0.1', port :'shard2', dbname 'hks_shard', extensions 'hks', async_capable 'true');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
CREATE TABLE articles (
    collection text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool) PARTITION BY HASH (collection, id);
-- use_remote_estimate: the shard's own estimate of the matches lets the
-- planner ship ORDER BY score and LIMIT (it keeps them local when it
-- guesses fewer rows than the limit).
CREATE FOREIGN TABLE articles_1 PARTITION OF articles FOR VALUES WITH (MODULUS 2, REMAINDER 0)
    SERVER shard1 OPTIONS (table_name 'articles', batch_size '100', use_remote_estimate 'true');
CREATE FOREIGN TABLE articles_2 PARTITION OF articles FOR VALUES WITH (MODULUS 2, REMAINDER 1)
    SERVER shard2 OPTIONS (table_name 'articles', batch_size '100', use_remote_estimate 'true');
CREATE FOREIGN TABLE hks_stats_1 () INHERITS (hks_stats) SERVER shard1 OPTIONS (table_name 'hks_stats');
CREATE FOREIGN TABLE hks_stats_2 () INHERITS (hks_stats) SERVER shard2 OPTIONS (table_name 'hks_stats');
CREATE FOREIGN TABLE hks_df_1 () INHERITS (hks_df) SERVER shard1 OPTIONS (table_name 'hks_df');
CREATE FOREIGN TABLE hks_df_2 () INHERITS (hks_df) SERVER shard2 OPTIONS (table_name 'hks_df');
-- Load through the coordinator: rows go to their shard in batches, and
-- each shard's triggers fill the tsvector and its statistics.
CREATE TEMP TABLE staging (collection text, id text, title text, body text,
                           date text, source text, url text);
\set ECHO none
SELECT format('COPY staging FROM %L', :'datadir' || '/articles.copy') \gexec
\set ECHO all
INSERT INTO articles (collection, id, title, body, date, source, url) SELECT * FROM staging;
SELECT tableoid::regclass AS shard, count(*) FROM articles GROUP BY 1 ORDER BY 1;
SELECT sum(n_docs) AS n_docs, sum(n_tokens) AS n_tokens FROM hks_stats;
-- The single server's answers, read through postgres_fdw too.
CREATE SERVER single FOREIGN DATA WRAPPER postgres_fdw OPTIONS (
    host '127.0.0.1', port :'port', dbname 'contrib_regression');
CREATE USER MAPPING FOR CURRENT_USER SERVER single OPTIONS (user 'postgres');
CREATE FOREIGN TABLE single_queries (qid text, query text) SERVER single OPTIONS (table_name 'queries');
CREATE FOREIGN TABLE single_top (qid text, collection text COLLATE "C", id text COLLATE "C",
                                 score float8, exact bool) SERVER single OPTIONS (table_name 'pg_top');
CREATE TABLE coord_top AS
    SELECT q.qid, s.* FROM single_queries q, LATERAL hks_search(q.query, 10) s;
-- Same top 10, rank by rank, same ids, scores within 1e-9 relative.
SELECT count(*) AS hits,
       count(*) FILTER (WHERE c.qid IS NULL OR s.qid IS NULL) AS unpaired,
       count(*) FILTER (WHERE c.collection <> s.collection OR c.id <> s.id
                           OR c.exact <> s.exact) AS other_doc,
       count(*) FILTER (WHERE abs(c.score - s.score) > 1e-9 * abs(s.score)) AS other_score
  FROM (SELECT *, row_number() OVER (PARTITION BY qid ORDER BY exact DESC, score DESC, collection, id) r
          FROM coord_top) c
  FULL JOIN (SELECT *, row_number() OVER (PARTITION BY qid ORDER BY exact DESC, score DESC, collection, id) r
               FROM single_top) s USING (qid, r);
SELECT a.collection, a.id, round(s.score::numeric, 6) AS score,
       hks_snippet(a.title, a.body, '疫苗接种', 30) AS snippet
  FROM hks_search('疫苗接種', 3) s JOIN articles a USING (collection, id)
 ORDER BY s.score DESC, 1, 2;
-- What goes to the shards: hks_search asks each partition for its own
-- top k, a query of one foreign table, so that the text condition (GIN,
-- phrase check, the text match of lossy documents), the scoring with the
-- global weights it is given, ORDER BY and LIMIT all run on the shard; the
-- coordinator asks every shard at once (Async Foreign Scan), merges the
-- partitions' top k (Sort, Limit) and recomputes the score of the k rows
-- each returns. Lossy documents are scored on the coordinator: they are
-- few, and a shard returns their text only when they match.
SELECT hks_topk_sql('articles', ARRAY[
    'SELECT a.collection, a.id, hks_score_bytes(a.tsv, a.dl, $11, $2, $3, $4, $9, $10), true
       FROM %1$s a WHERE NOT a.lossy AND a.tsv @@ $7',
    'SELECT a.collection, a.id, hks_score_text(a.title, a.body, a.dl, $1, $2, $3, $4, $9, $10), true
       FROM %1$s a WHERE a.lossy AND a.tsv @@ $5 AND hks_match(a.title, a.body, $6)']) AS topk \gset
PREPARE topk (text[], bool[], float8[], float8, tsquery, text, tsquery, int4, float8, float8, bytea[]) AS :topk;
EXPLAIN (VERBOSE, COSTS OFF)
EXECUTE topk('{疫情}', '{f}', '{1}', 126.8, '疫情', '疫情', hks_query('疫情'), 10, 1.2, 0.75,
             hks_bytes('{疫情}'));
-- The statistics: each shard sums its own rows for the query's terms, the
-- coordinator adds them up.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT d.term, sum(d.df) FROM hks_df d WHERE d.term = ANY('{疫苗,苗接,接种}') GROUP BY d.term;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT sum(n_docs), sum(n_tokens) FROM hks_stats;
-- Writes through the coordinator keep the global statistics current.
UPDATE articles SET body = body || '疫苗接种' WHERE collection = 'corpus';
DELETE FROM articles WHERE id IN ('1', '2', '3');
SELECT sum(n_docs) = (SELECT count(*) FROM articles) AS n_docs_ok,
       sum(n_tokens) = (SELECT sum(dl) FROM articles) AS n_tokens_ok FROM hks_stats;
SELECT (SELECT sum(df) FROM hks_df WHERE term = '疫苗') =
       (SELECT count(*) FROM articles WHERE tsv @@ '疫苗') AS df_ok;
