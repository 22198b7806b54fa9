/*
 * hks_pg.c: hksearch's text rules inside PostgreSQL.
 *
 * Through hks_analyze() (include/hks.h) only, this module gives:
 *  - the text-search parser "hks" (start/gettoken/end/lextypes): the
 *    engine's normalisation (NFKC, case and width folding, traditional ->
 *    simplified) and its terms: CJK bigrams, the closing unigram of a CJK
 *    run, Latin words and numbers.  A separator (or the edge between CJK
 *    and a word) is returned as a "gap" token that the hks_gap dictionary
 *    turns into a stop word, so PostgreSQL advances the position exactly
 *    where the engine does: tsvector position = engine position + 1.
 *  - the dictionary templates behind hks_keep (the term as it is: it is
 *    already normalised) and hks_gap (always a stop word);
 *  - hks_parse(query): the query's tsquery (phrases with <N>), the same
 *    query without positions (an index condition that PostgreSQL's position
 *    limits cannot break), its scoring terms, and whether it reads as a
 *    question (natural-language ranking), as hksearch decides;
 *  - BM25 over a stored tsvector (hks_score) or over the text itself
 *    (hks_score_text, for documents whose tsvector lost positions);
 *  - hks_match: the strict match on the text itself, for those documents;
 *  - hks_snippet: a window of the stored text, matches marked, cut at the
 *    source byte ranges hks_analyze gives, so it is in the text's script;
 *  - hks_length and hks_lossy, used by the row trigger (hks--0.1.sql).
 *
 * The library runs on palloc (see pg_alloc), so an error raised inside one
 * of its callbacks leaks nothing.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "tsearch/ts_public.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include <math.h>

#include "hks.h"

PG_MODULE_MAGIC;

/* Token types of the parser (lextypes). */
#define TT_BIGRAM 1
#define TT_UNIGRAM 2
#define TT_WORD 3
#define TT_GAP 4

/* Largest position a tsvector keeps, and positions kept per lexeme. */
#define PG_MAX_POS (MAXENTRYPOS - 1)
#define PG_MAX_NPOS (MAXNUMPOS - 1) /* to_tsvector keeps 255 */

/* ---- the library on palloc ---------------------------------------------- */

static void *
pg_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	void	   *p;

	(void) ud;
	if (nsize == 0)
	{
		if (ptr)
			pfree(ptr);
		return NULL;
	}
	p = MemoryContextAllocExtended(CurrentMemoryContext, nsize,
								   MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (p && ptr)
	{
		/* osize is advisory; the chunk knows its own size */
		Size		old = GetMemoryChunkSpace(ptr);

		if (osize == 0 || osize > old)
			osize = old;
		memcpy(p, ptr, Min(osize, nsize));
		pfree(ptr);
	}
	return p;
}

static const hks_alloc pg_allocator = {pg_alloc, NULL};

/* ---- analysis ------------------------------------------------------------ */

typedef struct Tok
{
	uint32		off;			/* term bytes at terms.data + off */
	uint16		len;
	uint16		flags;			/* HKS_TERM_* */
	uint32		pos;
	uint32		src_start;
	uint32		src_end;
} Tok;

typedef struct Toks
{
	Tok		   *t;
	int			n;
	int			cap;
	StringInfoData terms;
} Toks;

static int
collect_term(void *ctx, const hks_term *term)
{
	Toks	   *ts = ctx;
	Tok		   *t;

	if (ts->n == ts->cap)
	{
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->t = ts->t ? repalloc_huge(ts->t, sizeof(Tok) * (Size) ts->cap)
			: palloc(sizeof(Tok) * (Size) ts->cap);
	}
	t = &ts->t[ts->n++];
	t->off = (uint32) ts->terms.len;
	t->len = (uint16) term->term_len;
	t->flags = (uint16) term->flags;
	t->pos = term->pos;
	t->src_start = term->src_start;
	t->src_end = term->src_end;
	appendBinaryStringInfo(&ts->terms, term->term, (int) term->term_len);
	return HKS_OK;
}

static void
analyze(const char *text, size_t len, Toks *out)
{
	int			rc;

	memset(out, 0, sizeof(*out));
	initStringInfo(&out->terms);
	rc = hks_analyze(text, len, &pg_allocator, collect_term, out);
	if (rc != HKS_OK)
		ereport(ERROR,
				(errcode(rc == HKS_ERR_NOMEM ? ERRCODE_OUT_OF_MEMORY
						 : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hks: could not analyze a text of %zu bytes: %s",
						len, hks_strerror(rc))));
}

#define TOK_TERM(ts, i) ((ts)->terms.data + (ts)->t[i].off)

/* ---- parser --------------------------------------------------------------- */

typedef struct PrsState
{
	Toks		toks;
	int			next;			/* next token to return */
	uint32		want_pos;		/* engine position the next token takes */
} PrsState;

PG_FUNCTION_INFO_V1(hkspg_prs_start);
Datum
hkspg_prs_start(PG_FUNCTION_ARGS)
{
	char	   *text = (char *) PG_GETARG_POINTER(0);
	int			len = PG_GETARG_INT32(1);
	PrsState   *st = palloc0(sizeof(PrsState));

	analyze(text, (size_t) len, &st->toks);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(hkspg_prs_gettoken);
Datum
hkspg_prs_gettoken(PG_FUNCTION_ARGS)
{
	PrsState   *st = (PrsState *) PG_GETARG_POINTER(0);
	char	  **t = (char **) PG_GETARG_POINTER(1);
	int		   *tlen = (int *) PG_GETARG_POINTER(2);
	static char gap[] = " ";
	Tok		   *tok;

	if (st->next >= st->toks.n)
		PG_RETURN_INT32(0);
	tok = &st->toks.t[st->next];
	if (tok->pos > st->want_pos)
	{
		/* A separator: a stop word, so the position moves on by one. */
		st->want_pos++;
		*t = gap;
		*tlen = 1;
		PG_RETURN_INT32(TT_GAP);
	}
	st->next++;
	st->want_pos = tok->pos + 1;
	*t = TOK_TERM(&st->toks, st->next - 1);
	*tlen = tok->len;
	if (tok->flags & HKS_TERM_WORD)
		PG_RETURN_INT32(TT_WORD);
	PG_RETURN_INT32((tok->flags & HKS_TERM_LAST) ? TT_UNIGRAM : TT_BIGRAM);
}

PG_FUNCTION_INFO_V1(hkspg_prs_end);
Datum
hkspg_prs_end(PG_FUNCTION_ARGS)
{
	PrsState   *st = (PrsState *) PG_GETARG_POINTER(0);

	if (st->toks.t)
		pfree(st->toks.t);
	pfree(st->toks.terms.data);
	pfree(st);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(hkspg_prs_lextype);
Datum
hkspg_prs_lextype(PG_FUNCTION_ARGS)
{
	static const char *const names[][2] = {
		{"bigram", "CJK character bigram"},
		{"unigram", "Last character of a CJK run"},
		{"word", "Latin word or number"},
		{"gap", "Separator (advances the position)"},
	};
	LexDescr   *d = palloc(sizeof(LexDescr) * 5);
	int			i;

	for (i = 0; i < 4; i++)
	{
		d[i].lexid = i + 1;
		d[i].alias = pstrdup(names[i][0]);
		d[i].descr = pstrdup(names[i][1]);
	}
	d[4].lexid = 0;
	PG_RETURN_POINTER(d);
}

/* ---- dictionaries --------------------------------------------------------- */

PG_FUNCTION_INFO_V1(hkspg_dict_init);
Datum
hkspg_dict_init(PG_FUNCTION_ARGS)
{
	List	   *options = (List *) PG_GETARG_POINTER(0);

	if (options != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hks dictionaries take no options")));
	PG_RETURN_POINTER(NULL);
}

/* The term as the parser gives it: already normalised. */
PG_FUNCTION_INFO_V1(hkspg_keep_lexize);
Datum
hkspg_keep_lexize(PG_FUNCTION_ARGS)
{
	char	   *in = (char *) PG_GETARG_POINTER(1);
	int32		len = PG_GETARG_INT32(2);
	TSLexeme   *res = palloc0(sizeof(TSLexeme) * 2);

	res[0].lexeme = pnstrdup(in, len);
	PG_RETURN_POINTER(res);
}

/* Always a stop word: the token only moves the position on. */
PG_FUNCTION_INFO_V1(hkspg_gap_lexize);
Datum
hkspg_gap_lexize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(palloc0(sizeof(TSLexeme)));
}

/* ---- queries ---------------------------------------------------------------- */

/*
 * The query language of hksearch (README.md, "Queries") without its field
 * filters: space-separated clauses are ANDed, "A OR B" joins two into one,
 * -term excludes, "..." is one phrase across spaces.  Each piece of text
 * becomes one phrase through hks_analyze with the rules of the engine's
 * query parser: a CJK run's closing unigram matches any term starting with
 * that character (a prefix), except that it must be exact when more of
 * the phrase follows it, and the phrase's trailing unigram after a bigram
 * is dropped (its bigram pins the character).
 */
typedef struct HElem
{
	char	   *term;
	int			len;
	bool		prefix;
	bool		run_end;		/* a position check only, not a scoring term */
	uint32		rel;			/* position relative to the phrase's first */
} HElem;

typedef struct HPhrase
{
	HElem	   *e;
	int			n;
	bool		match_only;		/* a run-together form of a quoted phrase:
								 * matched, not scored (as hksearch) */
} HPhrase;

typedef struct HClause
{
	HPhrase    *p;
	int			n;
	bool		negated;
} HClause;

typedef struct HQuery
{
	HClause    *c;
	int			n;
	int			n_positive;
	int			n_chars;		/* tokens of positive clauses, as hksearch */
	bool		has_operators;
	bool		is_natural;
} HQuery;

#define MAX_QUERY_BYTES 4096
#define MAX_QUERY_ELEMS 512

static bool
is_space_at(const char *q, int n, int i, int *len)
{
	unsigned char c = (unsigned char) q[i];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
	{
		*len = 1;
		return true;
	}
	if (c == 0xE3 && i + 2 < n && (unsigned char) q[i + 1] == 0x80 &&
		(unsigned char) q[i + 2] == 0x80)
	{
		*len = 3;
		return true;
	}
	return false;
}

/* One piece of text -> a phrase; false when it has nothing searchable. */
static bool
make_phrase(const char *s, int n, HPhrase *ph, int *n_tokens)
{
	Toks		ts;
	int			i,
				k = 0;
	bool		prev_bigram = false;
	uint32		prev_pos = 0,
				base = 0;

	ph->match_only = false;
	analyze(s, (size_t) n, &ts);
	*n_tokens = ts.n;
	if (ts.n == 0)
		return false;
	if (ts.n > MAX_QUERY_ELEMS + 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hks: query has too many terms (at most %d)", MAX_QUERY_ELEMS)));
	ph->e = palloc0(sizeof(HElem) * ts.n);
	for (i = 0; i < ts.n; i++)
	{
		Tok		   *t = &ts.t[i];
		HElem	   *e = &ph->e[k++];
		bool		follows_bigram = prev_bigram && prev_pos + 1 == t->pos;

		prev_bigram = (t->flags & HKS_TERM_CJK) && !(t->flags & HKS_TERM_LAST);
		prev_pos = t->pos;
		if (i == 0)
			base = t->pos;
		else if (ph->e[k - 2].prefix)
			ph->e[k - 2].prefix = false;	/* more follows: the run ends here */
		e->term = pnstrdup(TOK_TERM(&ts, i), t->len);
		e->len = t->len;
		e->prefix = (t->flags & HKS_TERM_LAST) != 0;
		e->run_end = (t->flags & HKS_TERM_LAST) && follows_bigram;
		e->rel = t->pos - base;
	}
	if (ph->e[k - 1].run_end)
		k--;
	ph->n = k;
	if (k > MAX_QUERY_ELEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hks: query has too many terms (at most %d)", MAX_QUERY_ELEMS)));
	return k > 0;
}

/* A code point that the tokenizer puts in a CJK run (ideographs, kana,
 * hangul), not CJK punctuation: near enough for the two sides of a space
 * in a quoted query. */
static bool
is_cjk_cp(uint32 cp)
{
	return cp >= 0x2E80 && !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFE30 && cp <= 0xFE4F) &&
		!(cp >= 0xFF00 && cp <= 0xFFEF);
}

#define MAX_JOINABLE 5			/* spaces enumerated both ways: 2^5 phrases */

/*
 * Inside quotes a space between Chinese words means "adjacent, or separated
 * only by spaces or punctuation" (hksearch's rule): "新冠 疫苗" finds
 * 新冠疫苗 and 新冠，疫苗, never 新冠的疫苗. The phrase as written (c->p's
 * last) is the separated form; this adds, as alternatives of the same
 * clause, the phrase with each such space either kept or removed (every
 * combination for up to MAX_JOINABLE spaces, else all removed).
 */
static void
add_run_together(HClause *c, const char *s, int n)
{
	int			at[64],
				len[64],
				k = 0,
				i = 0,
				sp;
	uint32		mask,
				n_masks;

	while (i < n && k < 64)
	{
		if (is_space_at(s, n, i, &sp))
		{
			int			a = i,
						b = i;
			uint32		before = 0,
						after = 0;
			int			j;

			while (b < n && is_space_at(s, n, b, &sp))
				b += sp;
			/* the code point ending before a: back up over continuation bytes */
			for (j = a - 1; j > 0 && ((unsigned char) s[j] & 0xC0) == 0x80; j--)
				;
			if (a > 0 && hks_utf8_decode(s + j, (size_t) (a - j), &before) <= 0)
				before = 0;
			if (b < n && hks_utf8_decode(s + b, (size_t) (n - b), &after) <= 0)
				after = 0;
			if (is_cjk_cp(before) && is_cjk_cp(after))
			{
				at[k] = a;
				len[k] = b - a;
				k++;
			}
			i = b;
			continue;
		}
		i++;
	}
	if (k == 0)
		return;
	n_masks = k <= MAX_JOINABLE ? (1u << k) : 2;
	for (mask = 1; mask < n_masks; mask++)
	{
		StringInfoData v;
		HPhrase		ph;
		int			from = 0,
					t,
					ntok;

		initStringInfo(&v);
		for (t = 0; t < k; t++)
		{
			bool		join = k <= MAX_JOINABLE ? (mask >> t & 1) != 0 : true;

			appendBinaryStringInfo(&v, s + from, at[t] - from);
			if (!join)
				appendBinaryStringInfo(&v, s + at[t], len[t]);
			from = at[t] + len[t];
		}
		appendBinaryStringInfo(&v, s + from, n - from);
		if (make_phrase(v.data, v.len, &ph, &ntok))
		{
			ph.match_only = true;
			c->p = repalloc(c->p, sizeof(HPhrase) * (c->n + 1));
			c->p[c->n++] = ph;
		}
		pfree(v.data);
	}
}

/* The capitalised operator word w at q[i], as a whole word (hksearch's rule:
 * lower-case and, or, not are words). */
static bool
word_at(const char *q, int n, int i, const char *w)
{
	int			l = (int) strlen(w),
				sp;

	if (i + l > n || memcmp(q + i, w, l) != 0)
		return false;
	return i + l == n || is_space_at(q, n, i + l, &sp) || q[i + l] == ')';
}

/* An ASCII or full-width parenthesis at q[i] ('(' or ')'), else 0. */
static char
paren_at(const char *q, int n, int i)
{
	if (q[i] == '(' || q[i] == ')')
		return q[i];
	if (i + 2 < n && (unsigned char) q[i] == 0xEF && (unsigned char) q[i + 1] == 0xBC &&
		((unsigned char) q[i + 2] == 0x88 || (unsigned char) q[i + 2] == 0x89))
		return (unsigned char) q[i + 2] == 0x88 ? '(' : ')';
	return 0;
}

/*
 * Grouping parentheses are hksearch's, not hks_query's (its query is a
 * list of clauses, each an OR of phrases): refuse a term that opens with a
 * parenthesis or closes one it did not open, rather than read it as text.
 * A parenthesis inside a word (肺炎(COVID-19)) is text, as in hksearch.
 */
static void
refuse_group(const char *q, int n, int start, int end)
{
	int			i,
				own = 0;

	for (i = start; i < end; i++)
	{
		char		c = paren_at(q, n, i);

		if (c == '(' && i == start)
			break;
		if (c == '(')
			own++;
		else if (c == ')' && own > 0)
			own--;
		else if (c == ')' && (i + 1 == end || (i + 3 == end && q[i] != ')')))
			break;
	}
	if (i < end)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hks: parentheses (grouping, byte %d of the query) are not part of hks_query",
						i),
				 errhint("Write the query as terms joined by spaces, OR and -: A B OR C is A and (B or C).")));
}

static void
parse_query(const char *q, int n, HQuery *qy)
{
	int			i = 0,
				sp;
	bool		pending_or = false,
				pending_and = false;
	int			and_at = 0;

	memset(qy, 0, sizeof(*qy));
	if (n > MAX_QUERY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hks: query too long (%d bytes; at most %d)", n, MAX_QUERY_BYTES)));
	qy->c = palloc0(sizeof(HClause) * (n / 2 + 2));
	while (i < n)
	{
		int			start,
					end,
					ntok;
		bool		negated = false,
					quoted = false;
		HPhrase		ph;

		if (is_space_at(q, n, i, &sp))
		{
			i += sp;
			continue;
		}
		start = i;
		if (word_at(q, n, i, "AND"))
		{
			/* the same as a space, as in hksearch: between two terms */
			if (qy->n == 0 || pending_and || pending_or)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: AND at byte %d of the query needs a term before it", i)));
			pending_and = true;
			and_at = i;
			i += 3;
			continue;
		}
		if (word_at(q, n, i, "NOT"))
		{
			int			at = i;

			i += 3;
			while (i < n && is_space_at(q, n, i, &sp))
				i += sp;
			if (i == n || word_at(q, n, i, "OR") || word_at(q, n, i, "AND") ||
				word_at(q, n, i, "NOT"))
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: NOT at byte %d of the query needs a term after it", at)));
			negated = true;
			start = i;
		}
		else if (q[i] == '-' && i + 1 < n && !is_space_at(q, n, i + 1, &sp) && q[i + 1] != '-')
		{
			negated = true;
			start = ++i;
		}
		if ((i + 6 <= n && memcmp(q + i, "title:", 6) == 0) ||
			(i + 7 <= n && memcmp(q + i, "source:", 7) == 0) ||
			(i + 5 <= n && memcmp(q + i, "date:", 5) == 0) ||
			(i + 11 <= n && memcmp(q + i, "collection:", 11) == 0))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("hks: field filters (title:, source:, date:, collection:) are not part of hks_query"),
					 errhint("Filter on the table's columns in SQL instead.")));
		if (i < n && q[i] == '"' && memchr(q + i + 1, '"', n - i - 1) != NULL)
		{
			quoted = true;
			start = ++i;
			while (i < n && q[i] != '"')
				i++;
			if (i == n)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: unbalanced quote at byte %d of the query", start - 1)));
			end = i++;
		}
		else
		{
			/* a quote mark with no partner is text, as in hksearch */
			if (i < n && q[i] == '"')
				i++;
			while (i < n && !is_space_at(q, n, i, &sp) &&
				   !(q[i] == '"' && memchr(q + i + 1, '"', n - i - 1) != NULL))
				i++;
			end = i;
			refuse_group(q, n, start, end);
		}
		if (!quoted && !negated && end - start == 2 && memcmp(q + start, "OR", 2) == 0)
		{
			if (qy->n == 0 || pending_or)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: OR at byte %d of the query needs a term before it", start)));
			pending_or = true;
			qy->has_operators = true;
			continue;
		}
		if (quoted || negated)
			qy->has_operators = true;
		if (!make_phrase(q + start, end - start, &ph, &ntok))
			continue;
		pending_and = false;
		/* A word followed by * is a prefix (covid* finds covid19); after
		 * Chinese text it is refused, as hksearch refuses it. */
		if (!quoted && end - start >= 2 && q[end - 1] == '*' && q[end - 2] != '*')
		{
			char		c = q[end - 2];

			if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			{
				ph.e[ph.n - 1].prefix = true;
				qy->has_operators = true;
			}
			else if ((unsigned char) c >= 0x80 && ph.e[ph.n - 1].len >= 3 &&
					 (unsigned char) ph.e[ph.n - 1].term[0] >= 0xE3)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: * at byte %d of the query follows Chinese text: a prefix * is for Latin words and numbers (covid*)",
								end - 1)));
		}
		if (!negated)
			qy->n_chars += ntok;
		if (pending_or)
		{
			HClause    *c = &qy->c[qy->n - 1];

			if (c->negated != negated)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("hks: OR joins terms of different kinds near byte %d of the query",
								start)));
			c->p = repalloc(c->p, sizeof(HPhrase) * (c->n + 1));
			c->p[c->n++] = ph;
			if (quoted)
				add_run_together(c, q + start, end - start);
			pending_or = false;
			continue;
		}
		qy->c[qy->n].p = palloc(sizeof(HPhrase));
		qy->c[qy->n].p[0] = ph;
		qy->c[qy->n].n = 1;
		if (quoted)
			add_run_together(&qy->c[qy->n], q + start, end - start);
		qy->c[qy->n].negated = negated;
		qy->n++;
		if (!negated)
			qy->n_positive++;
	}
	if (pending_or)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("hks: OR at the end of the query needs a term after it")));
	if (pending_and)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("hks: AND at byte %d of the query needs a term after it", and_at)));
	if (qy->n_positive == 0 && qy->n)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("hks: the query has only excluded terms: say what to search for")));
	if (qy->n_positive == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("hks: nothing to search for in the query (no letters, digits or Chinese characters)")));
	qy->is_natural = !qy->has_operators && (qy->n_chars >= 5 || qy->n_positive >= 3);
}

static void
append_lexeme(StringInfo s, const char *t, int len, bool prefix)
{
	int			i;

	appendStringInfoChar(s, '\'');
	for (i = 0; i < len; i++)
	{
		if (t[i] == '\'' || t[i] == '\\')
			appendStringInfoChar(s, t[i]);
		appendStringInfoChar(s, t[i]);
	}
	appendStringInfoChar(s, '\'');
	if (prefix)
		appendStringInfoString(s, ":*");
}

/* The query as tsquery text; positional = false joins a phrase with &. */
static char *
query_text(const HQuery *qy, bool positional)
{
	StringInfoData s;
	int			c,
				p,
				e,
				nc = 0;

	initStringInfo(&s);
	for (c = 0; c < qy->n; c++)
	{
		const HClause *cl = &qy->c[c];

		if (cl->negated && !positional)
			continue;			/* a superset: exclusions are checked later */
		if (nc++)
			appendStringInfoString(&s, " & ");
		appendStringInfoString(&s, cl->negated ? "!(" : "(");
		for (p = 0; p < cl->n; p++)
		{
			const HPhrase *ph = &cl->p[p];

			if (p)
				appendStringInfoString(&s, " | ");
			appendStringInfoChar(&s, '(');
			for (e = 0; e < ph->n; e++)
			{
				if (e && positional)
					appendStringInfo(&s, " <%u> ", ph->e[e].rel - ph->e[e - 1].rel);
				else if (e)
					appendStringInfoString(&s, " & ");
				append_lexeme(&s, ph->e[e].term, ph->e[e].len, ph->e[e].prefix);
			}
			appendStringInfoChar(&s, ')');
		}
		appendStringInfoChar(&s, ')');
	}
	return s.data;
}

static Datum
make_tsquery(const char *txt)
{
	return DirectFunctionCall1(tsqueryin, CStringGetDatum(txt));
}

/* Scoring terms: the elements of positive clauses (not the position
 * checks), counted; natural ranking takes a lone character as itself. */
typedef struct STerms
{
	Datum	   *term;
	Datum	   *prefix;
	Datum	   *qtf;
	int			n;
} STerms;

static void
scoring_terms(const HQuery *qy, bool natural, STerms *st)
{
	int			c,
				p,
				e,
				cap = 0,
				i;

	for (c = 0; c < qy->n; c++)
		for (p = 0; p < qy->c[c].n; p++)
			cap += qy->c[c].p[p].n;
	st->term = palloc(sizeof(Datum) * (cap + 1));
	st->prefix = palloc(sizeof(Datum) * (cap + 1));
	st->qtf = palloc(sizeof(Datum) * (cap + 1));
	st->n = 0;
	for (c = 0; c < qy->n; c++)
	{
		if (qy->c[c].negated)
			continue;
		for (p = 0; p < qy->c[c].n; p++)
			for (e = 0; e < qy->c[c].p[p].n && !qy->c[c].p[p].match_only; e++)
			{
				const HElem *el = &qy->c[c].p[p].e[e];
				bool		pre = natural ? false : el->prefix;

				if (el->run_end)
					continue;
				for (i = 0; i < st->n; i++)
				{
					text	   *t = DatumGetTextPP(st->term[i]);

					if (DatumGetBool(st->prefix[i]) == pre &&
						VARSIZE_ANY_EXHDR(t) == el->len &&
						memcmp(VARDATA_ANY(t), el->term, el->len) == 0)
						break;
				}
				if (i < st->n)
				{
					st->qtf[i] = Int32GetDatum(DatumGetInt32(st->qtf[i]) + 1);
					continue;
				}
				st->term[st->n] = PointerGetDatum(cstring_to_text_with_len(el->term, el->len));
				st->prefix[st->n] = BoolGetDatum(pre);
				st->qtf[st->n] = Int32GetDatum(1);
				st->n++;
			}
	}
}

static Datum
array_of(Datum *d, int n, Oid type)
{
	int16		len;
	bool		byval;
	char		align;

	get_typlenbyvalalign(type, &len, &byval, &align);
	return PointerGetDatum(construct_array(d, n, type, len, byval, align));
}

static Datum
tsquery_of_terms(const STerms *st)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	for (i = 0; i < st->n; i++)
	{
		text	   *t = DatumGetTextPP(st->term[i]);

		if (i)
			appendStringInfoString(&s, " | ");
		append_lexeme(&s, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), DatumGetBool(st->prefix[i]));
	}
	return make_tsquery(s.data);
}

/*
 * hks_parse(query text, OUT tsq tsquery, OUT andq tsquery, OUT terms text[],
 *   OUT prefix bool[], OUT qtf int4[], OUT nterms text[], OUT nqtf int4[],
 *   OUT anyq tsquery, OUT is_natural bool, OUT may_fall_back bool)
 */
PG_FUNCTION_INFO_V1(hkspg_parse);
Datum
hkspg_parse(PG_FUNCTION_ARGS)
{
	text	   *q = PG_GETARG_TEXT_PP(0);
	TupleDesc	tupdesc;
	Datum		v[10];
	bool		nulls[10] = {0};
	HQuery		qy;
	STerms		st,
				nt;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hks_parse must be called in a context that takes a record")));
	tupdesc = BlessTupleDesc(tupdesc);
	parse_query(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q), &qy);
	scoring_terms(&qy, false, &st);
	scoring_terms(&qy, true, &nt);
	v[0] = make_tsquery(query_text(&qy, true));
	v[1] = make_tsquery(query_text(&qy, false));
	v[2] = array_of(st.term, st.n, TEXTOID);
	v[3] = array_of(st.prefix, st.n, BOOLOID);
	v[4] = array_of(st.qtf, st.n, INT4OID);
	v[5] = array_of(nt.term, nt.n, TEXTOID);
	v[6] = array_of(nt.qtf, nt.n, INT4OID);
	v[7] = tsquery_of_terms(&nt);
	v[8] = BoolGetDatum(qy.is_natural);
	v[9] = BoolGetDatum(!qy.has_operators && qy.n_chars > 1);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, v, nulls)));
}

/* hks_query(text) -> tsquery: the phrases with their <N> distances. */
PG_FUNCTION_INFO_V1(hkspg_query);
Datum
hkspg_query(PG_FUNCTION_ARGS)
{
	text	   *q = PG_GETARG_TEXT_PP(0);
	HQuery		qy;

	parse_query(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q), &qy);
	PG_RETURN_DATUM(make_tsquery(query_text(&qy, true)));
}

/* ---- matching on the text itself ------------------------------------------- */

/* The analysed text with an index from position to token. */
typedef struct Doc
{
	Toks		ts;
	int		   *at;				/* at[pos] = token index, or -1 */
	uint32		npos;
} Doc;

static void
doc_open(const char *text, size_t len, Doc *d)
{
	int			i;

	analyze(text, len, &d->ts);
	d->npos = d->ts.n ? d->ts.t[d->ts.n - 1].pos + 1 : 0;
	d->at = palloc_extended(sizeof(int) * ((Size) d->npos + 1), MCXT_ALLOC_HUGE);
	memset(d->at, 0xff, sizeof(int) * ((Size) d->npos + 1));
	for (i = 0; i < d->ts.n; i++)
		d->at[d->ts.t[i].pos] = i;
}

static bool
elem_matches(const Doc *d, uint32 pos, const HElem *e)
{
	int			k;
	const Tok  *t;

	if (pos >= d->npos || (k = d->at[pos]) < 0)
		return false;
	t = &d->ts.t[k];
	if (e->prefix)
		return t->len >= e->len && memcmp(TOK_TERM(&d->ts, k), e->term, e->len) == 0;
	return t->len == e->len && memcmp(TOK_TERM(&d->ts, k), e->term, e->len) == 0;
}

/* Does phrase ph start at position p? */
static bool
phrase_at(const Doc *d, const HPhrase *ph, uint32 p)
{
	int			e;

	for (e = 0; e < ph->n; e++)
		if (!elem_matches(d, p + ph->e[e].rel, &ph->e[e]))
			return false;
	return true;
}

static bool
phrase_in(const Doc *d, const HPhrase *ph)
{
	uint32		p;

	for (p = 0; p < d->npos; p++)
		if (phrase_at(d, ph, p))
			return true;
	return false;
}

static bool
query_in(const Doc *d, const HQuery *qy)
{
	int			c,
				p;

	for (c = 0; c < qy->n; c++)
	{
		bool		any = false;

		for (p = 0; p < qy->c[c].n && !any; p++)
			any = phrase_in(d, &qy->c[c].p[p]);
		if (any == qy->c[c].negated)
			return false;
	}
	return true;
}

/* "title\nbody" as analysed by the trigger. */
/* NULL if any of arguments first..last is NULL (non-strict functions). */
static bool
any_null(FunctionCallInfo fcinfo, int first, int last)
{
	int			i;

	for (i = first; i <= last; i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

static char *
doc_text(text *title, text *body, size_t *len)
{
	size_t		tl = title ? VARSIZE_ANY_EXHDR(title) : 0,
				bl = body ? VARSIZE_ANY_EXHDR(body) : 0;
	char	   *s = palloc_extended(tl + bl + 2, MCXT_ALLOC_HUGE);

	if (tl)
		memcpy(s, VARDATA_ANY(title), tl);
	s[tl] = '\n';
	if (bl)
		memcpy(s + tl + 1, VARDATA_ANY(body), bl);
	s[tl + 1 + bl] = '\0';
	*len = tl + 1 + bl;
	return s;
}

/* hks_match(title text, body text, query text) -> bool */
PG_FUNCTION_INFO_V1(hkspg_match);
Datum
hkspg_match(PG_FUNCTION_ARGS)
{
	text	   *title = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	text	   *body = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	text	   *q;
	HQuery		qy;
	Doc			d;
	size_t		len;
	char	   *s;

	if (any_null(fcinfo, 2, 2))
		PG_RETURN_NULL();
	q = PG_GETARG_TEXT_PP(2);
	s = doc_text(title, body, &len);
	parse_query(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q), &qy);
	doc_open(s, len, &d);
	PG_RETURN_BOOL(query_in(&d, &qy));
}

/* ---- BM25 -------------------------------------------------------------------- */

typedef struct Scoring
{
	Datum	   *term;
	bool	   *prefix;
	float8	   *w;
	int			n;
	float8		avgdl,
				k1,
				b;
} Scoring;

static void
get_scoring(FunctionCallInfo fcinfo, int first, Scoring *sc)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(first);
	ArrayType  *pa = PG_GETARG_ARRAYTYPE_P(first + 1);
	ArrayType  *wa = PG_GETARG_ARRAYTYPE_P(first + 2);
	Datum	   *pd,
			   *wd;
	int			np,
				nw,
				i;

	/*
	 * The terms come as text[] or, from hks_search, as bytea[] (the same
	 * varlena bytes): an argument with no collation, so that postgres_fdw
	 * can ship the call to a shard.
	 */
	if (ARR_ELEMTYPE(ta) != TEXTOID && ARR_ELEMTYPE(ta) != BYTEAOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("hks_score: the terms must be text[] or bytea[]")));
	deconstruct_array(ta, ARR_ELEMTYPE(ta), -1, false, TYPALIGN_INT, &sc->term, NULL, &sc->n);
	deconstruct_array(pa, BOOLOID, 1, true, TYPALIGN_CHAR, &pd, NULL, &np);
	deconstruct_array(wa, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &wd, NULL, &nw);
	if (np != sc->n || nw != sc->n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("hks_score: %d terms, %d prefix flags and %d weights: the arrays must have one entry per term",
						sc->n, np, nw)));
	sc->prefix = palloc(sizeof(bool) * (sc->n + 1));
	sc->w = palloc(sizeof(float8) * (sc->n + 1));
	for (i = 0; i < sc->n; i++)
	{
		sc->prefix[i] = DatumGetBool(pd[i]);
		sc->w[i] = DatumGetFloat8(wd[i]);
	}
	sc->avgdl = PG_GETARG_FLOAT8(first + 3);
	sc->k1 = PG_GETARG_FLOAT8(first + 4);
	sc->b = PG_GETARG_FLOAT8(first + 5);
	if (!(sc->avgdl > 0))
		sc->avgdl = 1.0;
}

static float8
bm25(const Scoring *sc, float8 w, uint32 tf, int32 dl)
{
	float8		t = (float8) tf;

	return w * t * (sc->k1 + 1.0) /
		(t + sc->k1 * (1.0 - sc->b + sc->b * (float8) dl / sc->avgdl));
}

/* Compare a lexeme with term (prefix: does the lexeme start with it?). */
static int
lexeme_cmp(const char *lex, int llen, const char *t, int tlen, bool prefix)
{
	int			r = memcmp(lex, t, Min(llen, tlen));

	if (r != 0)
		return r;
	if (prefix && llen >= tlen)
		return 0;
	return llen < tlen ? -1 : (llen > tlen ? 1 : 0);
}

/* Occurrences of term in tsv: positions kept for the lexeme (or, for a
 * prefix, for every lexeme starting with it). */
static uint32
tsv_tf(TSVector tsv, const char *t, int tlen, bool prefix)
{
	WordEntry  *we = ARRPTR(tsv);
	char	   *str = STRPTR(tsv);
	int			lo = 0,
				hi = tsv->size;
	uint32		tf = 0;

	/* first entry not below term (lexemes sort as memcmp, shorter first) */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (lexeme_cmp(str + we[mid].pos, we[mid].len, t, tlen, false) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < tsv->size; lo++)
	{
		if (lexeme_cmp(str + we[lo].pos, we[lo].len, t, tlen, prefix) != 0)
			break;
		tf += we[lo].haspos ? POSDATALEN(tsv, &we[lo]) : 1;
		if (!prefix)
			break;
	}
	return tf;
}

/*
 * hks_score(tsv tsvector, dl int4, terms text[], prefix bool[], w float8[],
 *           avgdl float8, k1 float8, b float8) -> float8
 * BM25 as hksearch computes it: w = qtf * idf with collection-wide df;
 * tf = the positions the tsvector keeps (exact unless hks_lossy(tsv)).
 */
PG_FUNCTION_INFO_V1(hkspg_score);
Datum
hkspg_score(PG_FUNCTION_ARGS)
{
	TSVector	tsv = PG_GETARG_TSVECTOR(0);
	int32		dl = PG_GETARG_INT32(1);
	Scoring		sc;
	float8		score = 0;
	int			i;

	get_scoring(fcinfo, 2, &sc);
	for (i = 0; i < sc.n; i++)
	{
		text	   *t = DatumGetTextPP(sc.term[i]);
		uint32		tf;

		if (sc.w[i] == 0)
			continue;
		tf = tsv_tf(tsv, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), sc.prefix[i]);
		if (tf)
			score += bm25(&sc, sc.w[i], tf, dl);
	}
	PG_RETURN_FLOAT8(score);
}

/*
 * hks_score_text(title text, body text, dl int4, terms, prefix, w, avgdl,
 *                k1, b) -> float8: the same, with tf counted in the text.
 */
PG_FUNCTION_INFO_V1(hkspg_score_text);
Datum
hkspg_score_text(PG_FUNCTION_ARGS)
{
	text	   *title = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	text	   *body = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	int32		dl = PG_GETARG_INT32(2);
	Scoring		sc;
	Toks		ts;
	size_t		len;
	char	   *s;
	float8		score = 0;
	int			i,
				k;

	if (any_null(fcinfo, 2, 8))
		PG_RETURN_NULL();
	s = doc_text(title, body, &len);
	get_scoring(fcinfo, 3, &sc);
	analyze(s, len, &ts);
	for (i = 0; i < sc.n; i++)
	{
		text	   *t = DatumGetTextPP(sc.term[i]);
		int			tlen = VARSIZE_ANY_EXHDR(t);
		uint32		tf = 0;

		if (sc.w[i] == 0)
			continue;
		for (k = 0; k < ts.n; k++)
			if (lexeme_cmp(TOK_TERM(&ts, k), ts.t[k].len, VARDATA_ANY(t), tlen,
						   sc.prefix[i]) == 0)
				tf++;
		if (tf)
			score += bm25(&sc, sc.w[i], tf, dl);
	}
	PG_RETURN_FLOAT8(score);
}

/* hks_length(text) -> int4: the document length BM25 uses (terms). */
PG_FUNCTION_INFO_V1(hkspg_length);
Datum
hkspg_length(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Toks		ts;

	analyze(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &ts);
	PG_RETURN_INT32(ts.n);
}

/*
 * hks_lossy(tsvector) -> bool: did PostgreSQL's limits drop positions (a
 * position at the 16,383 ceiling, or a lexeme at the 255 positions to_tsvector keeps)?  Such a
 * document's phrases and tf are then taken from its text.
 */
PG_FUNCTION_INFO_V1(hkspg_lossy);
Datum
hkspg_lossy(PG_FUNCTION_ARGS)
{
	TSVector	tsv = PG_GETARG_TSVECTOR(0);
	WordEntry  *we = ARRPTR(tsv);
	int			i,
				k;

	for (i = 0; i < tsv->size; i++)
	{
		WordEntryPos *p;
		int			n;

		if (!we[i].haspos)
			continue;
		n = POSDATALEN(tsv, &we[i]);
		if (n >= PG_MAX_NPOS)
			PG_RETURN_BOOL(true);
		p = POSDATAPTR(tsv, &we[i]);
		for (k = 0; k < n; k++)
			if (WEP_GETPOS(p[k]) >= PG_MAX_POS)
				PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

/* hks_tsv_length(tsvector) -> int4: positions kept (= terms if not lossy) */
PG_FUNCTION_INFO_V1(hkspg_tsv_length);
Datum
hkspg_tsv_length(PG_FUNCTION_ARGS)
{
	TSVector	tsv = PG_GETARG_TSVECTOR(0);
	WordEntry  *we = ARRPTR(tsv);
	int			i;
	int32		n = 0;

	for (i = 0; i < tsv->size; i++)
		n += we[i].haspos ? POSDATALEN(tsv, &we[i]) : 1;
	PG_RETURN_INT32(n);
}

/* ---- snippets ----------------------------------------------------------------- */

typedef struct Span
{
	uint32		s,
				e;
} Span;

static int
span_cmp(const void *a, const void *b)
{
	const Span *x = a,
			   *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	return x->e < y->e ? 1 : (x->e > y->e ? -1 : 0);
}

/* Byte ranges of the query's matches in d: whole phrases of positive
 * clauses, else (a question with no phrase match) single scoring terms. */
static Span *
find_spans(const Doc *d, const HQuery *qy, int *n_out)
{
	Span	   *sp = NULL;
	int			n = 0,
				cap = 0,
				c,
				p,
				pass;
	uint32		pos;

	for (pass = 0; pass < 2 && n == 0; pass++)
		for (c = 0; c < qy->n; c++)
		{
			if (qy->c[c].negated)
				continue;
			for (p = 0; p < qy->c[c].n; p++)
			{
				const HPhrase *ph = &qy->c[c].p[p];
				int			e;

				for (pos = 0; pos < d->npos; pos++)
				{
					int			first = -1,
								last = -1;

					if (pass == 0)
					{
						if (!phrase_at(d, ph, pos))
							continue;
						first = d->at[pos + ph->e[0].rel];
						last = d->at[pos + ph->e[ph->n - 1].rel];
					}
					else
					{
						for (e = 0; e < ph->n; e++)
							if (elem_matches(d, pos, &ph->e[e]))
								break;
						if (e == ph->n)
							continue;
						first = last = d->at[pos];
					}
					if (n == cap)
					{
						cap = cap ? cap * 2 : 16;
						sp = sp ? repalloc_huge(sp, sizeof(Span) * cap) : palloc(sizeof(Span) * cap);
					}
					sp[n].s = d->ts.t[first].src_start;
					sp[n].e = d->ts.t[last].src_end;
					n++;
				}
			}
		}
	if (n > 1)
		qsort(sp, n, sizeof(Span), span_cmp);
	*n_out = n;
	return sp;
}

/* Start of the UTF-8 character holding byte i. */
static uint32
char_start(const char *s, uint32 i)
{
	while (i > 0 && ((unsigned char) s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* Byte offset after moving n characters forward (back if n < 0) from i. */
static uint32
move_chars(const char *s, uint32 len, uint32 i, int n)
{
	while (n > 0 && i < len)
	{
		i++;
		while (i < len && ((unsigned char) s[i] & 0xC0) == 0x80)
			i++;
		n--;
	}
	while (n < 0 && i > 0)
	{
		i = char_start(s, i - 1);
		n++;
	}
	return i;
}

/* Append s[i] to out, a run of spaces and line breaks as one space. */
static void
put_snippet_byte(StringInfo out, char c)
{
	if (c == '\n' || c == '\r' || c == '\t' || c == ' ')
	{
		if (out->len > 0 && out->data[out->len - 1] == ' ')
			return;
		c = ' ';
	}
	appendStringInfoChar(out, c);
}

/*
 * hks_snippet(title text, body text, query text, max_chars int4,
 *             open text, close text) -> text
 * About max_chars characters of the body (the title when the body has no
 * match) around its first match, as written, matches between open and
 * close; a run of spaces and line breaks is shown as one space.
 */
PG_FUNCTION_INFO_V1(hkspg_snippet);
Datum
hkspg_snippet(PG_FUNCTION_ARGS)
{
	text	   *title = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	text	   *body = PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1);
	text	   *q,
			   *open,
			   *close;
	int32		max_chars;
	HQuery		qy;
	Doc			d;
	const char *s = "";
	uint32		len = 0,
				from,
				to,
				i;
	Span	   *sp = NULL;
	int			n = 0,
				k,
				f;
	StringInfoData out;

	if (any_null(fcinfo, 2, 5))
		PG_RETURN_NULL();
	q = PG_GETARG_TEXT_PP(2);
	max_chars = PG_GETARG_INT32(3);
	open = PG_GETARG_TEXT_PP(4);
	close = PG_GETARG_TEXT_PP(5);
	if (max_chars < 1 || max_chars > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hks_snippet: max_chars %d is outside 1..100000", max_chars)));
	parse_query(VARDATA_ANY(q), VARSIZE_ANY_EXHDR(q), &qy);
	for (f = 0; f < 2 && n == 0; f++)
	{
		text	   *field = f == 0 ? body : title;

		if (!field)
			continue;
		s = VARDATA_ANY(field);
		len = VARSIZE_ANY_EXHDR(field);
		doc_open(s, len, &d);
		sp = find_spans(&d, &qy, &n);
	}
	if (n == 0 && body)
	{
		s = VARDATA_ANY(body);
		len = VARSIZE_ANY_EXHDR(body);
	}
	/* window: a quarter of it before the first match */
	from = n ? move_chars(s, len, sp[0].s, -(max_chars / 4)) : 0;
	to = move_chars(s, len, from, max_chars);
	if (n && sp[0].e > to)
		to = sp[0].e;			/* the first match is shown whole */
	for (k = 1; k < n && sp[k].s < to; k++)
		if (sp[k].e > to && sp[k].s >= sp[0].e)
		{
			to = sp[k].s;		/* a later match is left out, not cut */
			break;
		}
	initStringInfo(&out);
	if (from > 0)
		appendStringInfoString(&out, "…");
	k = 0;
	i = from;
	while (i < to)
	{
		uint32		next = to;

		while (k < n && sp[k].e <= i)
			k++;
		if (k < n && sp[k].s <= i)
		{
			uint32		e = Min(sp[k].e, to);

			/* merge overlapping matches */
			while (k + 1 < n && sp[k + 1].s < e)
			{
				k++;
				e = Max(e, Min(sp[k].e, to));
			}
			appendBinaryStringInfo(&out, VARDATA_ANY(open), VARSIZE_ANY_EXHDR(open));
			for (; i < e; i++)
				put_snippet_byte(&out, s[i]);
			appendBinaryStringInfo(&out, VARDATA_ANY(close), VARSIZE_ANY_EXHDR(close));
			continue;
		}
		if (k < n && sp[k].s < next)
			next = sp[k].s;
		for (; i < next; i++)
			put_snippet_byte(&out, s[i]);
	}
	if (to < len)
		appendStringInfoString(&out, "…");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}
