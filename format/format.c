/*
 * format.c: the on-disk format of an hksearch index, and the container
 * that every index file shares (writer hks_filew_*, reader hks_filer_*).
 * indexer/seg_write.c writes segments, fileio.c the manifest and the
 * tombstones, docstore.c its own section; segment.c reads them.
 *
 * THE FORMAT (version HKS_FORMAT_VERSION = 5: patched frame-of-reference
 * postings, and the document store with its zstd dictionaries)
 * ===========================================
 * An index is a directory:
 *   MANIFEST            the committed state: which segments are live
 *   seg-NNNNNN.hks      an immutable segment
 *   seg-NNNNNN.hks.del-MMMMMM   tombstones of a segment (deleted documents)
 *   LOCK                the writer lock (flock); never holds data
 *   SYNONYMS            the synonym table (optional), applied at query time
 * Files not named by MANIFEST (SYNONYMS and LOCK aside) are leftovers of
 * an unfinished commit; the next writer deletes them. Fixed-width integers are little-endian. A
 * varint is LEB128 (common/varint.c). lenbytes = varint length + bytes.
 *
 * Container (every file):
 *   header, 16 bytes:
 *     u32 magic "KHS1" (4B 48 53 31)
 *     u16 format version            u16 file kind (1 segment, 2 manifest,
 *     u64 zero                                     3 tombstone,
 *                                                  4 synonyms)
 *   sections, back to back, each 8-byte aligned (zero padding between)
 *   section table, n entries of 32 bytes:
 *     u32 section id    u32 zero
 *     u64 offset        u64 length        u64 XXH3-64 of the section bytes
 *   footer, 32 bytes (its magic is the last 4 bytes of the file, so a reader
 *   finds it from the end, as in the zstd seekable format):
 *     u64 offset of the section table
 *     u32 number of sections      u32 file kind
 *     u64 XXH3-64 of the section table
 *     u16 format version  u16 zero  u32 magic "KHSF" (4B 48 53 46)
 *   Invariants checked at open: size >= 48, both magics, reserved bytes zero, versions equal to
 *   ours (a larger version is reported as "written by a newer hksearch"),
 *   kind as expected, table offset + 32 n + 32 == size, table checksum,
 *   every section inside [16, table offset), ids unique. Section checksums
 *   of small sections are checked at open; the large ones are checked in
 *   pieces as they are read (BLOCKSUMS for the lexicon and postings, zstd's
 *   frame checksums for the document store) and whole by `hkindex check`
 *   (hks_index_check); every decode is bounded anyway.
 *
 * Segment sections:
 *   INFO (1):
 *     varint n_docs   varint n_terms   varint total_tokens
 *     identity: lenbytes unicode version (utf8proc)
 *               lenbytes fold table version   varint tokenizer version
 *   DOCS (5): n_docs records of 28 bytes:
 *     u32 n_tokens (BM25 length)   u32 title_end (positions below it are
 *     in the title; the body's start at it, which is one more than the
 *     title's own separator gap, so no phrase spans the two)
 *     u32 date YYYYMMDD or 0   u32 offset into META
 *     u64 content hash (XXH3 over title, body, date, source, url,
 *         author, category, tags, each preceded by its u64 length): an unchanged re-added document is
 *         recognized and skipped
 *     u32 n_chars: the document's length in the character field (its CJK
 *         characters outside boilerplate)
 *   META (6): per document, 9 lenbytes: collection, id, title, date,
 *     source, url, author, category, tags (the tags one per line: UTF-8
 *     strings with '\n' between them, none empty when read from JSONL);
 *     each may be empty
 *   Terms: the bigrams, unigrams and words of the text, as the tokenizer
 *     gives them (common/tokenize.c); 0x02 + term for a token inside a
 *     boilerplate line (BOILER below); and the character field: 0x01 + one
 *     CJK character's UTF-8, for every character that starts a CJK token
 *     (each character of a run does, once), with its count as tf, no
 *     positions (pos_len 0 and every block's position bytes absent) and
 *     n_chars as the length in the skip table's "min doc length".
 *   LEXICON (3): the terms in byte order, in blocks of HKS_LEX_BLOCK (32):
 *     varint offset in POSTINGS of the block's first term
 *     zero-or-more (up to 32) {
 *       varint prefix (bytes shared with the previous term of the block;
 *              0 for the first)   varint suffix length   suffix bytes
 *       varint df   varint doc_len   varint pos_len
 *     }
 *     A term's data starts where the previous term's data ended.
 *   LEXIDX (4):
 *     varint n_terms   varint n_blocks
 *     n_blocks { varint offset of the block in LEXICON   lenbytes first term }
 *   POSTINGS (2): per term, doc_len bytes then pos_len bytes:
 *     n_blocks = ceil(df / 128); block i holds docs [128 i, 128 i + 128)
 *     if n_blocks > 1, the skip table: n_blocks {
 *       varint last doc of the block minus last doc of the previous block
 *              (the first block: its last doc)
 *       varint bytes of the block's doc data   varint bytes of its positions
 *       varint max tf in the block             varint min doc length in it
 *     }
 *     doc blocks: for each block of n docs:
 *       packed n doc gaps (doc - previous doc - 1; the first doc of the term
 *              is stored as itself; a block continues from the previous
 *              block's last doc)
 *       packed n (tf - 1)
 *     position blocks: for each block, packed_any(sum of its tfs) values:
 *       per doc its positions, the first as itself, then (gap - 1)
 *     "packed" is block.c's patched frame-of-reference packing (u8 bit
 *     width and exception flag, the low bits, then any exceptions: their
 *     count, width, indices and high bits).
 *   DOCSTORE (7): the original bodies; layout at the top of docstore.c.
 *   BLOCKSUMS (10): per lexicon block, u64 h, where h chains XXH3-64 with
 *     seeds (hks_hash64_seed) over, in order: each of the block's terms'
 *     doc_len bytes and then pos_len bytes of POSTINGS (starting from seed
 *     0), and last the block's bytes of LEXICON. A reader checks a block
 *     the first time it decodes it, so damaged postings are an error, not a
 *     silently different answer. (Added in version 2.)
 *   SIMHASH (11): n_docs u64, document d's near-duplicate fingerprint
 *     (indexer/simhash.c: a 64-bit SimHash of its normalized body over
 *     windows of 4 code points, separators dropped), or 0 for a body too
 *     short to compare. Copies of one story are a few bits apart; the
 *     searcher folds hits within its Hamming threshold into the best one
 *     (searcher/collapse.c). Required: a segment without it, or with a
 *     length other than 8 n_docs, is corrupt.
 *   BOILER (12): site boilerplate (indexer/boiler.c has the rules). First
 *     the counts the writer knew when it wrote the segment (every segment
 *     carries the whole table; a writer starts from the newest segment's):
 *     varint n_collections, n_collections, in byte order of name, no two
 *     equal {
 *       lenbytes name (0..1024 bytes)   varint n_docs: articles counted
 *       varint n_lines, n_lines, by increasing hash, no two equal {
 *         u64 XXH3-64 of the line without its white space (never 0)
 *         varint articles holding it (2..n_docs; lines seen once are not
 *                kept)
 *       }
 *     }
 *     then per document, what was decided when it was indexed:
 *     varint n_docs (equal to INFO's), n_docs {
 *       varint n_ranges, n_ranges {
 *         varint start - end of the previous range (the first: start)
 *         varint length (>= 1)
 *       }   byte ranges of its stored body, increasing, not overlapping,
 *           inside 0..HKS_DS_MAX_DOC_BYTES; their tokens are indexed as
 *           0x02 + term and are not counted in DOCS' n_tokens
 *     }
 *     A segment without the section has no boilerplate. (Added in
 *     version 4.)
 *
 * Manifest section MANIFEST (8):
 *   varint generation   varint next file number   identity (as in INFO)
 *   varint n_segments, n_segments {
 *     lenbytes file name   varint n_docs   varint n_deleted
 *     lenbytes tombstone file name ("" if none)
 *   }
 *   varint n_collections, n_collections, in byte order of name, no two
 *   equal {
 *     lenbytes name (0..1024 bytes, no NUL)
 *     lenbytes source: the canonical absolute path of the folder or file
 *              the collection is read from (0..4095 bytes, no NUL; "" if
 *              none is recorded). A sync refuses another source for the
 *              collection unless it is named explicitly. (Added in
 *              version 3.)
 *   }
 * Tombstone section DELETED (9): varint n_docs, ceil(n_docs / 8) bytes of
 *   bitmap, bit (d & 7) of byte d >> 3 set when document d is deleted.
 *
 * Synonyms file SYNONYMS (kind 4), one section SYNONYMS (20), the alias
 * groups (format/synonyms.c reads a user's text into it):
 *   varint n_groups, n_groups {
 *     varint n_aliases (2..64), n_aliases {
 *       lenbytes the alias as written (1..255 bytes)
 *       lenbytes the alias normalized (1..255 bytes): the engine's
 *                normalization, separators as one space, none at the ends
 *     }
 *   }
 *   and nothing after the last group. No normalized alias is in two groups.
 *   The file is not named by MANIFEST: a writer replaces it on its own
 *   (tmp file, fsync, rename, fsync dir) under the writer lock, with no
 *   commit, and an index handle reads it at open. Its section checksum is
 *   checked when it is read; the section's XXH3-64 is its identity, which
 *   hks_index_changed compares. (Added in version 4; an
 *   older reader ignores the file.)
 *
 * Version rules: any change to a byte layout above, to what the tokenizer
 * emits, or to the meaning of a field bumps HKS_FORMAT_VERSION (or
 * HKS_TOKENIZER_VERSION for the tokenizer); a reader refuses other versions
 * with HKS_ERR_FORMAT. Adding a new section id that old readers may ignore
 * does not need a bump.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t's size, to allocate it ourselves */
#include <xxhash.h>

#include "hks_format.h"

/* XXH3_createState() would call malloc; the state wants 64-byte alignment,
 * so it is carved out of a slightly larger block from the handle's
 * allocator (the block itself is kept in hstate_mem for the free). */
#define HSTATE_BYTES (sizeof(XXH3_state_t) + 64)

/* Write-behind buffer size: large sequential writes, few syscalls. */
#define FILEW_BUF_BYTES (1u << 20)

const char *hks_section_name(uint32_t id)
{
    switch (id) {
    case HKS_SEC_INFO:
        return "info";
    case HKS_SEC_POSTINGS:
        return "postings";
    case HKS_SEC_LEXICON:
        return "lexicon";
    case HKS_SEC_LEXIDX:
        return "lexicon index";
    case HKS_SEC_DOCS:
        return "docs";
    case HKS_SEC_META:
        return "meta";
    case HKS_SEC_DOCSTORE:
        return "docstore";
    case HKS_SEC_MANIFEST:
        return "manifest";
    case HKS_SEC_DELETED:
        return "tombstones";
    case HKS_SEC_BLOCKSUMS:
        return "block checksums";
    case HKS_SEC_SIMHASH:
        return "simhash";
    case HKS_SEC_BOILER:
        return "boilerplate";
    case HKS_SEC_SYNONYMS:
        return "synonyms";
    default:
        return "unknown";
    }
}

static void flush_out(hks_filew *f)
{
    size_t done = 0;
    if (f->rc)
        return;
    while (done < f->out.n) {
        ssize_t k = write(f->fd, f->out.p + done, f->out.n - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            f->rc = hks_fail(f->err, HKS_ERR_IO, "write %s: %s",
                             f->path, strerror(errno));
            return;
        }
        done += (size_t)k;
    }
    f->out.n = 0;
}

static void raw_write(hks_filew *f, const void *p, size_t n)
{
    const uint8_t *s = p;
    if (f->rc)
        return;
    while (n) {
        size_t room = FILEW_BUF_BYTES - f->out.n;
        size_t k = n < room ? n : room;
        hks_buf_put(&f->rc, &f->out, s, k);
        if (f->rc)
            return;
        s += k;
        n -= k;
        f->off += k;
        if (f->out.n == FILEW_BUF_BYTES)
            flush_out(f);
    }
}

/*
 * Create path (truncating any leftover) and write the header.
 * @return HKS_OK or HKS_ERR_IO/NOMEM; on failure f needs hks_filew_abort.
 */
int hks_filew_open(hks_filew *f, const hks_alloc *a, const char *path,
                   uint32_t kind, hks_errbuf *err)
{
    uint8_t hdr[HKS_HEADER_BYTES] = {0};
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->a = a;
    f->err = err;
    f->kind = kind;
    hks_buf_init(&f->out, a);
    f->path = hks_mem_strndup(a, path, strlen(path));
    f->hstate_mem = hks_mem_alloc(a, HSTATE_BYTES);
    if (f->hstate_mem) {
        f->hstate = (void *)(((uintptr_t)f->hstate_mem + 63) & ~(uintptr_t)63);
        XXH3_INITSTATE((XXH3_state_t *)f->hstate);
    }
    if (!f->path || !f->hstate)
        return f->rc = hks_fail(err, HKS_ERR_NOMEM, "open %s: out of memory", path);
    if (!hks_buf_reserve(&f->rc, &f->out, FILEW_BUF_BYTES))
        return f->rc = hks_fail(err, HKS_ERR_NOMEM, "open %s: out of memory", path);
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return f->rc = hks_fail(err, HKS_ERR_IO, "create %s: %s", path,
                                strerror(errno));
    memcpy(hdr, "KHS1", 4); /* NOLINT(bugprone-not-null-terminated-result): magic bytes, not a string */
    hdr[4] = HKS_FORMAT_VERSION & 0xff;
    hdr[5] = HKS_FORMAT_VERSION >> 8;
    hdr[6] = (uint8_t)kind;
    raw_write(f, hdr, sizeof hdr);
    return f->rc;
}

/* Start section id: aligns to 8 bytes and starts its checksum. */
void hks_filew_begin(hks_filew *f, uint32_t id)
{
    static const uint8_t zero[8] = {0};
    if (f->rc)
        return;
    if (f->n_sec >= HKS_MAX_SECTIONS || f->in_section) {
        f->rc = hks_fail(f->err, HKS_ERR_INTERNAL, "%s: bad section order",
                         f->path);
        return;
    }
    if (f->off & 7)
        raw_write(f, zero, 8 - (f->off & 7));
    f->sec[f->n_sec].id = id;
    f->sec[f->n_sec].off = f->off;
    XXH3_64bits_reset((XXH3_state_t *)f->hstate);
    f->in_section = true;
}

void hks_filew_write(hks_filew *f, const void *p, size_t n)
{
    if (f->rc || !n)
        return;
    XXH3_64bits_update((XXH3_state_t *)f->hstate, p, n);
    raw_write(f, p, n);
}

void hks_filew_end(hks_filew *f)
{
    if (f->rc)
        return;
    f->sec[f->n_sec].len = f->off - f->sec[f->n_sec].off;
    f->sec[f->n_sec].hash = XXH3_64bits_digest((XXH3_state_t *)f->hstate);
    f->n_sec++;
    f->in_section = false;
}

void hks_filew_section(hks_filew *f, uint32_t id, const hks_buf *b)
{
    hks_filew_begin(f, id);
    hks_filew_write(f, b->p, b->n);
    hks_filew_end(f);
}

static void free_filew(hks_filew *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    hks_buf_free(&f->out);
    hks_mem_free(f->a, f->hstate_mem, HSTATE_BYTES);
    f->hstate_mem = NULL;
    f->hstate = NULL;
    hks_mem_free(f->a, f->path, 0);
    f->path = NULL;
}

/*
 * Write the section table and the footer, fsync and close the file.
 * @return HKS_OK, or the first error of the file (it is then removed).
 */
int hks_filew_finish(hks_filew *f)
{
    hks_buf t;
    uint8_t foot[HKS_FOOTER_BYTES] = {0};
    uint64_t table_off, h;
    int i, rc;
    if (f->rc == 0 && f->in_section)
        f->rc = hks_fail(f->err, HKS_ERR_INTERNAL, "%s: open section", f->path);
    hks_buf_init(&t, f->a);
    if (f->rc == 0 && (f->off & 7)) {
        static const uint8_t zero[8] = {0};
        raw_write(f, zero, 8 - (f->off & 7));
    }
    table_off = f->off;
    for (i = 0; i < f->n_sec; i++) {
        hks_buf_put_u32le(&f->rc, &t, f->sec[i].id);
        hks_buf_put_u32le(&f->rc, &t, 0);
        hks_buf_put_u64le(&f->rc, &t, f->sec[i].off);
        hks_buf_put_u64le(&f->rc, &t, f->sec[i].len);
        hks_buf_put_u64le(&f->rc, &t, f->sec[i].hash);
    }
    if (f->rc == 0) {
        raw_write(f, t.p, t.n);
        h = hks_hash64(t.p, t.n);
        for (i = 0; i < 8; i++)
            foot[i] = (uint8_t)(table_off >> (8 * i));
        for (i = 0; i < 4; i++)
            foot[8 + i] = (uint8_t)((uint32_t)f->n_sec >> (8 * i));
        for (i = 0; i < 4; i++)
            foot[12 + i] = (uint8_t)(f->kind >> (8 * i));
        for (i = 0; i < 8; i++)
            foot[16 + i] = (uint8_t)(h >> (8 * i));
        foot[24] = HKS_FORMAT_VERSION & 0xff;
        foot[25] = HKS_FORMAT_VERSION >> 8;
        memcpy(foot + 28, "KHSF", 4); /* NOLINT(bugprone-not-null-terminated-result): magic bytes */
        raw_write(f, foot, sizeof foot);
        flush_out(f);
    }
    hks_buf_free(&t);
    if (f->rc == 0 && fsync(f->fd) != 0)
        f->rc = hks_fail(f->err, HKS_ERR_IO, "fsync %s: %s", f->path,
                         strerror(errno));
    if (f->rc == 0) {
        int fd = f->fd;
        f->fd = -1;
        if (close(fd) != 0)
            f->rc = hks_fail(f->err, HKS_ERR_IO, "close %s: %s", f->path,
                             strerror(errno));
    }
    rc = f->rc;
    if (rc)
        hks_filew_abort(f);
    else
        free_filew(f);
    return rc;
}

void hks_filew_abort(hks_filew *f)
{
    if (f->path)
        unlink(f->path);
    free_filew(f);
}

/* ---- reading --------------------------------------------------------- */

static int bad(hks_errbuf *err, const char *path, const char *what)
{
    return hks_fail(err, HKS_ERR_CORRUPT, "%s: %s", path, what);
}

/*
 * Map path read-only and validate its container structure.
 */
int hks_filer_open(hks_filer *f, const hks_alloc *a, const char *path,
                   uint32_t kind, hks_errbuf *err)
{
    struct stat st;
    int fd, i, j;
    hks_rd rd;
    uint64_t table_off, thash;
    uint32_t n_sec, fkind;
    uint16_t ver;
    const uint8_t *foot;

    memset(f, 0, sizeof *f);
    f->a = a;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return hks_fail(err, e == ENOENT ? HKS_ERR_NOTFOUND : HKS_ERR_IO,
                        "open %s: %s", path, strerror(e));
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hks_fail(err, HKS_ERR_IO, "stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hks_fail(err, HKS_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size < HKS_HEADER_BYTES + HKS_FOOTER_BYTES) {
        close(fd);
        return hks_fail(err, HKS_ERR_CORRUPT,
                        "%s: truncated (%lld bytes, a file has at least %d)",
                        path, (long long)st.st_size, HKS_HEADER_BYTES + HKS_FOOTER_BYTES);
    }
    f->n = (size_t)st.st_size;
    f->p = mmap(NULL, f->n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f->p == MAP_FAILED) {
        f->p = NULL;
        return hks_fail(err, HKS_ERR_IO, "mmap %s: %s", path, strerror(errno));
    }
    f->is_mapped = true;

    if (memcmp(f->p, "KHS1", 4) != 0)
        return bad(err, path, "bad magic (not an hksearch index file)");
    foot = f->p + f->n - HKS_FOOTER_BYTES;
    if (memcmp(foot + 28, "KHSF", 4) != 0)
        return bad(err, path, "bad footer magic (truncated or overwritten)");
    ver = (uint16_t)(foot[24] | foot[25] << 8);
    if (ver != HKS_FORMAT_VERSION || (f->p[4] | f->p[5] << 8) != HKS_FORMAT_VERSION)
        return hks_fail(err, HKS_ERR_FORMAT,
                        "%s: format version %u, this hksearch reads %u%s", path,
                        (unsigned)ver, HKS_FORMAT_VERSION,
                        ver > HKS_FORMAT_VERSION
                            ? " (written by a newer hksearch)"
                            : ": rebuild the index from its sources (hkindex build SOURCE...)");
    table_off = hks_load_u64le(foot);
    n_sec = hks_load_u32le(foot + 8);
    fkind = hks_load_u32le(foot + 12);
    thash = hks_load_u64le(foot + 16);
    if (fkind != kind || f->p[6] != kind || f->p[7] != 0)
        return bad(err, path, "wrong file kind");
    if (hks_load_u64le(f->p + 8) != 0 || foot[26] != 0 || foot[27] != 0)
        return bad(err, path, "reserved header or footer bytes are not zero");
    if (n_sec > HKS_MAX_SECTIONS)
        return bad(err, path, "too many sections");
    /* table_off is bounded first: the sum below must not wrap around 2^64
     * (a 48-byte file claiming sections would "fit" at offset -16). */
    if (table_off < HKS_HEADER_BYTES || table_off > f->n - HKS_FOOTER_BYTES ||
        table_off + (uint64_t)n_sec * HKS_SECTION_ENTRY_BYTES + HKS_FOOTER_BYTES != f->n)
        return bad(err, path, "section table out of place (truncated or extended)");
    if (hks_hash64(f->p + table_off, (size_t)n_sec * HKS_SECTION_ENTRY_BYTES) != thash)
        return bad(err, path, "section table checksum mismatch");
    f->kind = kind;
    f->n_sec = (int)n_sec;
    hks_rd_init(&rd, f->p + table_off, (size_t)n_sec * HKS_SECTION_ENTRY_BYTES);
    for (i = 0; i < f->n_sec; i++) {
        uint32_t zero;
        hks_rd_u32le(&rd, &f->sec[i].id);
        hks_rd_u32le(&rd, &zero);
        hks_rd_u64le(&rd, &f->sec[i].off);
        hks_rd_u64le(&rd, &f->sec[i].len);
        hks_rd_u64le(&rd, &f->sec[i].hash);
        if (f->sec[i].off < HKS_HEADER_BYTES || f->sec[i].off > table_off ||
            f->sec[i].len > table_off - f->sec[i].off)
            return bad(err, path, "section outside the file");
        for (j = 0; j < i; j++)
            if (f->sec[j].id == f->sec[i].id)
                return bad(err, path, "duplicate section");
    }
    return HKS_OK;
}

void hks_filer_close(hks_filer *f)
{
    if (f->p && f->is_mapped)
        munmap((void *)f->p, f->n);
    f->p = NULL;
    f->n = 0;
}

int hks_filer_section(const hks_filer *f, uint32_t id, const uint8_t **p, size_t *n,
                      const char *path, hks_errbuf *err)
{
    int i;
    for (i = 0; i < f->n_sec; i++) {
        if (f->sec[i].id == id) {
            *p = f->p + f->sec[i].off;
            *n = (size_t)f->sec[i].len;
            return HKS_OK;
        }
    }
    return hks_fail(err, HKS_ERR_CORRUPT, "%s: no %s section", path,
                    hks_section_name(id));
}

int hks_filer_verify(const hks_filer *f, uint32_t id, const char *path, hks_errbuf *err)
{
    int i;
    for (i = 0; i < f->n_sec; i++) {
        if (f->sec[i].id == id) {
            uint64_t h = hks_hash64(f->p + f->sec[i].off, (size_t)f->sec[i].len);
            if (h != f->sec[i].hash)
                return hks_fail(err, HKS_ERR_CORRUPT,
                                "%s: %s section checksum mismatch (stored "
                                "%016llx, computed %016llx)",
                                path, hks_section_name(id),
                                (unsigned long long)f->sec[i].hash,
                                (unsigned long long)h);
            return HKS_OK;
        }
    }
    return hks_fail(err, HKS_ERR_CORRUPT, "%s: no %s section", path,
                    hks_section_name(id));
}

/* ---- boilerplate keys (hks_format.h, HKS_BOILER_BYTE) ---------------------- */

size_t hks_boiler_key(const uint8_t *term, size_t len, uint8_t out[HKS_MAX_TERM_BYTES])
{
    size_t n = len < HKS_MAX_TERM_BYTES ? len : HKS_MAX_TERM_BYTES - 1;
    while (n < len && n > 0 && (term[n] & 0xC0) == 0x80)
        n--;
    out[0] = HKS_BOILER_BYTE;
    memcpy(out + 1, term, n);
    return n + 1;
}

/* ---- the character field's keys (hks_format.h, HKS_CHAR_KEY) ------------- */

size_t hks_char_key(const uint8_t *term, size_t n, uint8_t *out)
{
    uint32_t cp;
    size_t len;
    if (n == 0)
        return 0;
    if (term[0] < 0xC0)
        return 0; /* ASCII, or not a lead byte: never a CJK character */
    len = hks_utf8_len(term[0]);
    if (n != len)
        return 0;
    cp = len == 2   ? (uint32_t)(term[0] & 0x1F) << 6 | (term[1] & 0x3F)
         : len == 3 ? (uint32_t)(term[0] & 0x0F) << 12 | (uint32_t)(term[1] & 0x3F) << 6 |
                          (term[2] & 0x3F)
                    : (uint32_t)(term[0] & 0x07) << 18 | (uint32_t)(term[1] & 0x3F) << 12 |
                          (uint32_t)(term[2] & 0x3F) << 6 | (term[3] & 0x3F);
    if (hks_cclass_of(cp) != HKS_CC_CJK)
        return 0;
    out[0] = HKS_CHAR_KEY;
    memcpy(out + 1, term, len);
    return len + 1;
}
