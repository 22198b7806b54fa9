-- One server holding every article: the seed corpus and dxy_covid_news,
-- against what hksearch finds in the same articles.
\getenv datadir HKS_PG_DATA
CREATE TABLE articles (
    collection text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
    title text, body text, date text, source text, url text,
    tsv tsvector, dl int4, lossy bool, PRIMARY KEY (collection, id));
SELECT hks_track('articles');
CREATE INDEX articles_tsv ON articles USING gin (tsv);
\set ECHO none
SELECT format('COPY articles (collection, id, title, body, date, source, url) FROM %L',
              :'datadir' || '/articles.copy') \gexec
\set ECHO all
CREATE TABLE queries (qid text, query text);
\set ECHO none
SELECT format('COPY queries FROM %L', :'datadir' || '/queries.tsv') \gexec
\set ECHO all
-- hksearch: every strict match of each query, and its best 10 hits
CREATE TABLE hks_strict (qid text, collection text COLLATE "C", id text COLLATE "C",
                         score float8, exact int);
\set ECHO none
SELECT format('COPY hks_strict FROM %L', :'datadir' || '/strict.tsv') \gexec
\set ECHO all
CREATE TABLE hks_top (qid text, collection text COLLATE "C", id text COLLATE "C",
                      score float8, exact int);
\set ECHO none
SELECT format('COPY hks_top FROM %L', :'datadir' || '/top10.tsv') \gexec
\set ECHO all
ANALYZE;
SELECT n_docs, n_tokens FROM hks_stats;
SELECT count(*) AS lossy FROM articles WHERE lossy;
-- 疫苗接种 finds 疫苗接種
SELECT a.collection, a.id, round(s.score::numeric, 6) AS score,
       hks_snippet(a.title, a.body, '疫苗接种', 30) AS snippet
  FROM hks_search('疫苗接種', 3) s JOIN articles a USING (collection, id)
 ORDER BY s.score DESC, 1, 2;
-- The strict matches are hksearch's, query by query, with the same scores.
CREATE TABLE pg_strict AS
    SELECT q.qid, s.collection, s.id, s.score
      FROM queries q, LATERAL hks_search(q.query, 1000000) s WHERE s.exact;
SELECT (SELECT count(*) FROM hks_strict) AS hksearch, (SELECT count(*) FROM pg_strict) AS postgres;
SELECT 'only hksearch' AS side, qid, collection, id FROM
    (SELECT qid, collection, id FROM hks_strict EXCEPT SELECT qid, collection, id FROM pg_strict) x
UNION ALL
SELECT 'only postgres', qid, collection, id FROM
    (SELECT qid, collection, id FROM pg_strict EXCEPT SELECT qid, collection, id FROM hks_strict) y
ORDER BY 1, 2, 3, 4 LIMIT 20;
SELECT count(*) FILTER (WHERE abs(p.score - h.score) > 1e-9 * abs(h.score)) AS score_differs
  FROM pg_strict p JOIN hks_strict h USING (qid, collection, id);
-- The best 10 (strict first, then a question's partial matches): the same
-- scores rank by rank (hksearch breaks ties by its own document order).
CREATE TABLE pg_top AS
    SELECT q.qid, s.* FROM queries q, LATERAL hks_search(q.query, 10) s;
SELECT count(*) AS hits,
       count(*) FILTER (WHERE h.qid IS NULL OR p.qid IS NULL) AS unpaired,
       count(*) FILTER (WHERE p.exact <> (h.exact = 1)
                           OR abs(p.score - h.score) > 1e-9 * abs(h.score)) AS differ
  FROM (SELECT *, row_number() OVER (PARTITION BY qid ORDER BY exact DESC, score DESC, collection, id) r
          FROM pg_top) p
  FULL JOIN (SELECT *, row_number() OVER (PARTITION BY qid ORDER BY exact DESC, score DESC, collection, id) r
               FROM hks_top) h USING (qid, r);
-- The statistics the triggers kept equal a full recount.
CREATE TEMP TABLE kept AS SELECT * FROM hks_df;
CREATE TEMP TABLE kept_stats AS SELECT * FROM hks_stats;
SELECT hks_refresh('articles');
SELECT (SELECT count(*) FROM (TABLE kept EXCEPT TABLE hks_df) x) +
       (SELECT count(*) FROM (TABLE hks_df EXCEPT TABLE kept) y) +
       (SELECT count(*) FROM (TABLE kept_stats EXCEPT TABLE hks_stats) z) AS differences;
-- Where the work goes: the GIN index finds the candidates, the phrase is
-- checked on the tsvector, lossy documents on their text.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF)
SELECT a.collection, a.id FROM articles a
 WHERE NOT a.lossy AND a.tsv @@ hks_query('疫苗接种');
RESET enable_seqscan;
