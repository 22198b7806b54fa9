#!/usr/bin/env python3
"""Generate common/zhfold_data.c, the traditional -> simplified fold table.

Source data: OpenCC's character dictionaries as shipped by Debian's
libopencc-data 1.1.6 (Apache-2.0), dumped to text with opencc_dict:
  TSCharacters   traditional -> simplified characters (t2s)
  HKVariantsRev  Hong Kong variant -> OpenCC traditional form (hk2s)
  TWVariantsRev  Taiwan variant -> OpenCC traditional form (tw2s)
  STCharacters   simplified -> traditional; only its keys are used, as the
                 set of characters OpenCC treats as simplified

Rules (one code point to one code point; phrases are out of scope):
  - each dictionary line is "key<TAB>value1 value2 ..."; the first value is
    taken, and only single-code-point keys and values are kept;
  - fold(c) = TS(VAR(c)), where VAR is the HK/TW variant-reverse map and TS
    the t2s map, iterated to a fixed point so the result is fully folded
    (衞 -> 衛 -> 卫; 裡 -> 裏 -> 里);
  - a character OpenCC keeps in t2s and lists as simplified (an STCharacters
    key) is never changed: tw2s turns 么 into 幺, which would rewrite
    ordinary simplified text, so 么 stays 么;
  - the table is only applied after NFKC, so keys that are not NFKC-stable
    are dropped (they cannot occur) and values are NFKC-normalized.

Usage: scripts/gen_zhfold.py [--check] [-o common/zhfold_data.c]
  --check also runs the opencc CLI over every key (t2s, hk2s, tw2s) and
  fails if a folded value is none of OpenCC's answers.
The output is deterministic; its version string is a hash of the pairs.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import unicodedata

DICT_DIR = "/usr/share/opencc"
SOURCES = ["TSCharacters", "HKVariantsRev", "TWVariantsRev", "STCharacters"]

# Folds the project relies on (tests check them too); the generator refuses
# to write a table that breaks any of them.
REQUIRED = {
    "衞": "卫", "衛": "卫", "醫": "医", "療": "疗", "後": "后", "發": "发",
    "髮": "发", "臺": "台", "裏": "里", "裡": "里", "著": "着",
    "干": "干", "么": "么", "后": "后", "发": "发", "里": "里", "卫": "卫",
}


def dump_dict(name, tmpdir):
    """Dump one .ocd2 dictionary to text and parse it into {key: [values]}."""
    out = os.path.join(tmpdir, name + ".txt")
    subprocess.run(["opencc_dict", "-i", os.path.join(DICT_DIR, name + ".ocd2"),
                    "-o", out, "-f", "ocd2", "-t", "text"], check=True)
    table = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, vals = line.partition("\t")
            table[key] = vals.split(" ")
    return table


def single(table):
    """Keep entries whose key and first value are one code point each."""
    return {k: v[0] for k, v in table.items() if len(k) == 1 and len(v[0]) == 1}


def build(dicts):
    ts = single(dicts["TSCharacters"])
    var = {}
    for name in ("HKVariantsRev", "TWVariantsRev"):
        for k, v in single(dicts[name]).items():
            if k in var and var[k] != v:
                sys.exit("gen_zhfold: %s: %s maps to %s and %s" % (name, k, var[k], v))
            var[k] = v
    simplified = set(dicts["STCharacters"])
    # Simplified characters that t2s keeps are fixed points: no variant map
    # applies to them, neither as a start nor in the middle of a chain
    # (麼 -> 么 must stop at 么 rather than go on to 幺).
    keep = {c for c in simplified if ts.get(c, c) == c}
    var = {k: v for k, v in var.items() if k not in keep}

    def fold(c):
        for _ in range(16):
            v = var.get(c, c)
            n = ts.get(v, v)
            if n == c:
                return c
            c = n
        sys.exit("gen_zhfold: no fixed point from %s" % c)

    pairs = {}
    for c in sorted(set(ts) | set(var)):
        if unicodedata.normalize("NFKC", c) != c:
            continue
        if c in keep:
            continue
        t = unicodedata.normalize("NFKC", fold(c))
        if len(t) == 1 and t != c:
            pairs[ord(c)] = ord(t)
    # The fold must be idempotent: no value may itself be a key.
    for k, v in pairs.items():
        if v in pairs:
            sys.exit("gen_zhfold: U+%04X -> U+%04X is not final" % (k, v))
    # zhfold.c returns code points below U+3400 unchanged without a lookup.
    if min(pairs) < 0x3400:
        sys.exit("gen_zhfold: key U+%04X below U+3400; update zhfold.c" % min(pairs))
    for k, v in REQUIRED.items():
        if pairs.get(ord(k), ord(k)) != ord(v):
            sys.exit("gen_zhfold: required fold %s -> %s broken" % (k, v))
    return pairs


def check_with_opencc(pairs):
    """Every folded value must be what one of t2s, hk2s or tw2s gives."""
    keys = "".join(chr(k) + "\n" for k in sorted(pairs))
    answers = []
    for cfg in ("t2s", "hk2s", "tw2s"):
        r = subprocess.run(["opencc", "-c", cfg], input=keys, check=True,
                           capture_output=True, text=True)
        answers.append(r.stdout.split("\n"))
    bad = 0
    for i, k in enumerate(sorted(pairs)):
        got = {a[i] for a in answers}
        if chr(pairs[k]) not in got:
            bad += 1
            print("check: %s -> %s, opencc gives %s" % (chr(k), chr(pairs[k]),
                  " ".join(sorted(got))), file=sys.stderr)
    print("check: %d of %d folds differ from every opencc config" % (bad, len(pairs)),
          file=sys.stderr)


# Two-level index for the BMP: stage 1 maps cp >> BLOCK_SHIFT to a block,
# stage 2 holds, per code point, the signed difference target - cp (0 = no
# entry), or ESCAPE when the target lies outside the BMP and so does not
# fit in 16 bits (zhfold.c then binary-searches the pairs).
BLOCK_SHIFT = 6
BLOCK = 1 << BLOCK_SHIFT
ESCAPE = -32768


def emit(pairs, path):
    keys = sorted(pairs)
    blob = "".join("%X:%X\n" % (k, pairs[k]) for k in keys).encode()
    version = "opencc-1.1.6-" + hashlib.sha256(blob).hexdigest()[:16]
    blocks = [[0] * BLOCK]  # block 0: no entries
    stage1 = [0] * (0x10000 >> BLOCK_SHIFT)
    for hi in range(len(stage1)):
        blk = [0] * BLOCK
        for lo in range(BLOCK):
            cp = (hi << BLOCK_SHIFT) | lo
            if cp in pairs:
                d = pairs[cp] - cp
                blk[lo] = d if -32767 <= d <= 32767 else ESCAPE
        if any(blk):
            stage1[hi] = len(blocks)
            blocks.append(blk)
    assert len(blocks) < 65536
    n_bmp = sum(1 for k in keys if k < 0x10000)
    lines = []
    w = lines.append
    w("/*")
    w(" * zhfold_data.c: traditional -> simplified fold table for zhfold.c.")
    w(" *")
    w(" * GENERATED by scripts/gen_zhfold.py -- do not edit; rerun the script.")
    w(" * Source: OpenCC dictionaries TSCharacters, HKVariantsRev, TWVariantsRev")
    w(" * and STCharacters from Debian libopencc-data 1.1.6 (OpenCC, Apache-2.0).")
    w(" * %d pairs (%d in the BMP), %d index blocks of %d." % (len(keys), n_bmp,
      len(blocks), BLOCK))
    w(" * Table version: %s" % version)
    w(" */")
    w('#include "hks_int.h"')
    w("")
    w("/* Declared (as extern) in zhfold.c, the only user. */")
    w('HKS_INTERNAL const char hks_zhfold_data_version[] = "%s";' % version)
    w("HKS_INTERNAL const size_t hks_zhfold_n_pairs = %d;" % len(keys))
    w("")
    w("/* Sorted by key: from[i] folds to to[i]. */")
    w("HKS_INTERNAL const uint32_t hks_zhfold_from[%d] = {" % len(keys))
    for i in range(0, len(keys), 8):
        w("    " + " ".join("0x%05X," % k for k in keys[i:i + 8]))
    w("};")
    w("HKS_INTERNAL const uint32_t hks_zhfold_to[%d] = {" % len(keys))
    for i in range(0, len(keys), 8):
        w("    " + " ".join("0x%05X," % pairs[k] for k in keys[i:i + 8]))
    w("};")
    w("")
    w("/* BMP index, stage 1: block number of cp >> %d (0 = no entries). */" % BLOCK_SHIFT)
    w("HKS_INTERNAL const uint16_t hks_zhfold_stage1[%d] = {" % len(stage1))
    for i in range(0, len(stage1), 16):
        w("    " + " ".join("%d," % s for s in stage1[i:i + 16]))
    w("};")
    w("")
    w("/* BMP index, stage 2: target - cp for each cp in a block, 0 = no entry,")
    w(" * %d = target outside the BMP (search the pairs). */" % ESCAPE)
    w("HKS_INTERNAL const int16_t hks_zhfold_stage2[%d][%d] = {" % (len(blocks), BLOCK))
    for b in blocks:
        w("    {")
        for i in range(0, BLOCK, 16):
            w("        " + " ".join("%d," % x for x in b[i:i + 16]))
        w("    },")
    w("};")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return version


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", default="common/zhfold_data.c")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dicts = {n: dump_dict(n, tmp) for n in SOURCES}
    pairs = build(dicts)
    if args.check:
        check_with_opencc(pairs)
    version = emit(pairs, args.o)
    print("gen_zhfold: %d pairs, version %s -> %s" % (len(pairs), version, args.o))


if __name__ == "__main__":
    main()
