-- The extension from the sqlite3 shell, on the seed articles (004 is
-- traditional). Run from the top of the checkout by shell.sh.
.bail on
CREATE VIRTUAL TABLE news USING fts5(name, body, tokenize='hks');
INSERT INTO news SELECT name, CAST(readfile('corpus/' || name) AS TEXT) FROM (
  SELECT '000_beb05f062f43795e.txt' AS name UNION ALL SELECT '001_ade38ef73a2d2cc1.txt'
  UNION ALL SELECT '002_a98c0e2f6a5c2cb4.txt' UNION ALL SELECT '003_0deaf7ce9546a668.txt'
  UNION ALL SELECT '004_9aacc04dfcdb4d2e.txt');
INSERT INTO news VALUES ('a', '患有高血压和糖尿病的老人'), ('b', '患有高血壓、糖尿病的老人');
.print -- 疫苗接种 (simplified) and 疫苗接種 (traditional): the same four articles
SELECT name FROM news WHERE news MATCH '疫苗接种' ORDER BY name;
SELECT name FROM news WHERE news MATCH '疫苗接種' ORDER BY name;
.print -- snippets in the text as stored
SELECT name, snippet(news, 1, '[', ']', '…', 10) FROM news
 WHERE news MATCH '疫苗接种' AND name LIKE '004%';
SELECT name, snippet(news, 1, '[', ']', '…', 6) FROM news
 WHERE news MATCH '卫生院' ORDER BY rank LIMIT 2;
.print -- a phrase across punctuation matches only across punctuation
SELECT name, highlight(news, 1, '[', ']') FROM news WHERE news MATCH '"高血压 糖尿病"';
.print -- one character: every article with it
SELECT count(*) FROM news WHERE news MATCH '醫';
SELECT count(*) FROM news WHERE news MATCH '瘤';
.print -- bm25: a question ranked over its terms
SELECT name, round(bm25(news), 3) FROM news WHERE news MATCH hks_any('肿瘤医院怎样防控疫情')
 ORDER BY rank LIMIT 3;
.print -- a bad option
.bail off
CREATE VIRTUAL TABLE bad USING fts5(body, tokenize='hks bogus');
