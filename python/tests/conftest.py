"""Fixtures: indexes of the repository's real text (corpus/), built once per run."""
import json
import os
import subprocess

import pytest

import hksearch

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "corpus")
DXY = os.path.join(CORPUS, "dxy_covid_news.docs.jsonl.zst")
SEEDS = sorted(f for f in os.listdir(CORPUS) if f.endswith(".txt"))


def read_dxy():
    """The DXY news items as dicts, read with the zstd program."""
    out = subprocess.run(["zstd", "-dcq", DXY], check=True, capture_output=True).stdout
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def dxy_docs():
    return read_dxy()


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    """corpus/ (the five seed articles, 004 traditional) and the DXY news."""
    d = str(tmp_path_factory.mktemp("idx") / "news")
    with hksearch.Writer(d) as w:
        w.add_path(CORPUS)
        w.add_path(DXY)
        w.commit()
    return d


@pytest.fixture(scope="session")
def index(index_dir):
    # The tests compare hits with every document holding the text, so
    # copies of one story are listed (test_reprints_fold_into_one_hit
    # covers folding).
    with hksearch.Index(index_dir, collapse=False) as idx:
        yield idx


@pytest.fixture(scope="session")
def seed_texts():
    """file name -> text of the seed articles."""
    out = {}
    for f in SEEDS:
        with open(os.path.join(CORPUS, f), encoding="utf-8") as fh:
            out[f] = fh.read()
    return out
