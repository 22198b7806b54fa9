-- The parser and configuration hks: the engine's terms and positions.
CREATE EXTENSION hks;
SELECT alias, token, lexemes FROM ts_debug('hks', '疫苗接種，HPV疫苗 COVID-19');
-- tsvector positions are the engine's plus one; separators leave gaps
SELECT to_tsvector('hks', '疫苗接種，HPV疫苗 COVID-19 衞生 Ａ１２');
-- simplified and traditional are the same text
SELECT to_tsvector('hks', '疫苗接種') @@ hks_query('疫苗接种') AS trad,
       to_tsvector('hks', '疫苗接种') @@ hks_query('疫苗接種') AS simp;
-- a phrase drops its closing unigram, so it matches inside a longer run
SELECT hks_query('疫苗接种'), hks_query('苗接'),
       to_tsvector('hks', '疫苗接种疫') @@ hks_query('苗接') AS inside;
-- one character: every term starting with it (bigram or run-final unigram)
SELECT hks_query('种'),
       to_tsvector('hks', '接种') @@ hks_query('种') AS at_end,
       to_tsvector('hks', '种植') @@ hks_query('種') AS at_start,
       to_tsvector('hks', '接受') @@ hks_query('种') AS absent;
-- a gap in the query must be a gap in the text
SELECT hks_query('"高血压 糖尿病"'),
       to_tsvector('hks', '高血压，糖尿病') @@ hks_query('"高血压 糖尿病"') AS comma,
       to_tsvector('hks', '高血压 糖尿病') @@ hks_query('"高血压 糖尿病"') AS space,
       to_tsvector('hks', '高血压和糖尿病') @@ hks_query('"高血压 糖尿病"') AS other_char,
       to_tsvector('hks', '高血压糖尿病') @@ hks_query('"高血压 糖尿病"') AS adjacent;
SELECT hks_query('HPV疫苗'),
       to_tsvector('hks', 'HPV 疫苗') @@ hks_query('HPV疫苗') AS spaced,
       to_tsvector('hks', 'hpv疫苗接种') @@ hks_query('HPV疫苗') AS joined;
SELECT hks_query('covid-19'), to_tsvector('hks', 'COVID-19') @@ hks_query('covid-19') AS m;
-- operators: AND, OR, exclusion
SELECT hks_query('口罩 OR 防护服 -武汉 新冠');
SELECT q.tsq, q.andq, q.terms, q.prefix, q.qtf, q.nterms, q.is_natural, q.may_fall_back
  FROM hks_parse('孕妇感冒了可以吃什么药') q;
SELECT q.terms, q.prefix, q.is_natural FROM hks_parse('种') q;
-- hksearch's AND and NOT: AND is a space, NOT x is -x
SELECT hks_query('疫苗 AND 接种') = hks_query('疫苗 接种') AS and_is_space,
       hks_query('NOT 香港 疫苗') = hks_query('-香港 疫苗') AS not_is_minus,
       hks_query('疫苗 and 接种') AS lower_case_is_a_word;
-- a trailing * makes a Latin word or number a prefix
SELECT hks_query('covid*'), to_tsvector('hks', 'COVID19 疫苗') @@ hks_query('covid*') AS covid19,
       to_tsvector('hks', 'COVID19 疫苗') @@ hks_query('covid') AS exact_word;
SELECT q.terms, q.prefix, q.is_natural FROM hks_parse('covid* 疫苗') q;
-- a quote mark with no partner is text; a parenthesis inside a word too
SELECT hks_query('"疫苗') = hks_query('疫苗') AS lone_quote,
       hks_query('肺炎(COVID-19)'), hks_query('多形型脂肪肉瘤（左阴囊内）');
-- what hks_query refuses, rather than reading it otherwise than hksearch:
-- grouping parentheses, collection:, a * after Chinese text
SELECT hks_query('(口罩 OR 防护服) 医院');
SELECT hks_query('口罩 OR （防护服 医院）');
SELECT hks_query('-(香港 OR 深圳) 疫情');
SELECT hks_query('collection:hkcnews 疫苗');
SELECT hks_query('疫苗*');
SELECT hks_query('AND 疫苗');
SELECT hks_query('疫苗 AND');
SELECT hks_query('疫苗 NOT');
-- errors name what failed
SELECT hks_query('title:疫苗');
SELECT hks_query('-疫苗');
SELECT hks_query('，。！');
SELECT hks_query('OR 疫苗');
-- snippets: the text as written, matches marked
SELECT hks_snippet('標題', '今天全市推進疫苗接種工作，疫苗接種率很高。', '疫苗接种', 20);
SELECT hks_snippet('疫苗接種', '正文沒有', '疫苗接种');
SELECT hks_snippet(NULL, repeat('无关内容', 30) || '衞生署公布' || repeat('其他', 30), '卫生署', 12, '<b>', '</b>');
-- to_tsvector keeps 255 positions per lexeme, and positions up to 16,383:
-- such a document is "lossy" and is matched and scored on its text.
SELECT hks_lossy(to_tsvector('hks', repeat('疫苗，', 300))) AS many,
       hks_lossy(to_tsvector('hks', repeat('甲', 17000) || '，疫苗')) AS late,
       hks_lossy(to_tsvector('hks', repeat('疫苗，', 200))) AS fine;
SELECT to_tsvector('hks', repeat('甲', 17000) || '，疫苗接种') @@ hks_query('疫苗接种') AS tsv_says,
       hks_match(NULL, repeat('甲', 17000) || '，疫苗接种', '疫苗接种') AS text_says;
SELECT hks_tsv_length(to_tsvector('hks', repeat('疫苗，', 300))) AS kept,
       hks_length(repeat('疫苗，', 300)) AS terms;
SELECT hks_score(to_tsvector('hks', repeat('疫苗，', 300)), 600, '{疫苗}', '{f}', '{1}', 600) AS tsv_tf,
       hks_score_text(NULL, repeat('疫苗，', 300), 600, '{疫苗}', '{f}', '{1}', 600) AS text_tf;
-- statistics kept on write match a full recount
CREATE TABLE notes (collection text COLLATE "C", id text COLLATE "C", title text, body text,
                    tsv tsvector, dl int4, lossy bool, PRIMARY KEY (collection, id));
SELECT hks_track('notes');
INSERT INTO notes (collection, id, title, body) VALUES
    ('n', '1', '疫苗', '疫苗接種開始'), ('n', '2', '口罩', '口罩和疫苗'), ('n', '3', NULL, 'COVID-19');
UPDATE notes SET body = '只有口罩' WHERE id = '2';
DELETE FROM notes WHERE id = '3';
INSERT INTO notes (collection, id, title, body) VALUES ('n', '4', '', repeat('疫苗，', 300));
SELECT n_docs, n_tokens FROM hks_stats;
SELECT term, df FROM hks_df ORDER BY term;
CREATE TEMP TABLE before AS SELECT * FROM hks_df;
SELECT hks_refresh('notes');
SELECT (SELECT count(*) FROM (TABLE before EXCEPT TABLE hks_df) x) +
       (SELECT count(*) FROM (TABLE hks_df EXCEPT TABLE before) y) AS differences;
SELECT id, dl, lossy FROM notes ORDER BY id;
SELECT * FROM hks_search('疫苗', 10, 'notes');
TRUNCATE notes;
SELECT n_docs, n_tokens, (SELECT count(*) FROM hks_df) AS terms FROM hks_stats;
DROP TABLE notes;
