"""Peak-memory estimate of the tp4 job (checked against its mem_mb before any job runs). No JAX: the workflow imports
it on every invocation, when it builds the DAG.

The estimate needs the corpus's length in words and the vocabulary's size V. Counting them cleans the corpus
(gensim's MediaWiki filter: about 4 s for the default corpus, most of a `snakemake -n`), so they are cached in
<cache root>/corpus/ (`core.provenance.cache_root`), one JSON file per key: the SHA-256 of the corpus file's bytes,
the corpus, min_count, the gensim version and the source of this module and of `corpus.py`. A changed file, rule or
cleaning misses; a damaged entry is counted again, and a cache folder that cannot be written only costs the next
invocation the count, each with a message.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.provenance import atomic_write, cache_root
from replications.mup import corpus


def _corpus_sha256(name: str, text8_dir: str | None) -> bytes:
    """SHA-256 of the corpus file: text8's from its check (`corpus.text8_sha256`, computed once per invocation:
    `tasks.tp4_data_problems` checked the file before any estimate), or gensim's dump, checked to be the known file
    as the job reads it (a missing gensim or file raises `DataError`, saying how to get it)."""
    if name == "text8":
        return bytes.fromhex(corpus.text8_sha256(str(text8_dir)))
    corpus.gensim_test_file(corpus.WIKI_DUMP)  # raises unless its SHA-256 is gensim 4.4.0's
    return bytes.fromhex(corpus.GENSIM_SHA256[corpus.WIKI_DUMP])


def _cache_key(name: str, text8_dir: str | None, min_count: int) -> str:
    digest = hashlib.sha256(_corpus_sha256(name, text8_dir))
    digest.update(json.dumps([name, min_count, importlib.metadata.version("gensim")]).encode())
    for path in (Path(corpus.__file__), Path(__file__)):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def corpus_sizes(config: Mapping[str, Any], cache_dir: str | Path | None = None) -> tuple[int, int]:
    """(words in the corpus, V) of the `tp4` config: `corpus.words` counted, or read from the cache (module
    docstring) under `cache_dir` (default: `cache_root()`)."""
    name, text8_dir, min_count = config["corpus"], config["text8_dir"], config["min_count"]
    path = cache_root(cache_dir) / "corpus" / f"{_cache_key(name, text8_dir, min_count)}.json"
    try:
        stored = json.loads(path.read_text())
        return int(stored["words"]), int(stored["vocabulary"])
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError) as error:
        print(f"corpus count {path} is damaged ({error!r}): counting again", file=sys.stderr, flush=True)
    except OSError as error:
        print(f"corpus count {path} cannot be read ({error!r}): counting again", file=sys.stderr, flush=True)
    words = corpus.words(name, text8_dir)
    sizes = {"words": len(words), "vocabulary": len(corpus.frequent_word_counts(words, min_count))}
    try:
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(sizes)))
    except OSError as error:  # a read-only or foreign cache folder costs the next run the count, not the run
        print(f"corpus count not cached at {path} ({error!r})", file=sys.stderr, flush=True)
    return sizes["words"], sizes["vocabulary"]


def memory_mb(config: Mapping[str, Any], cache_dir: str | Path | None = None) -> float:
    """Peak memory of the tp4 job: the limit's two V x V float32 matrices while it trains (updated in place), then
    its input embeddings and their unit rows on the host for the benchmarks (4 V^2 floats in all, counted at
    once); every width's seeds' (u, v), held together through the epochs, twice (a piece's input and output); one
    epoch's window matrix (2 window ids per word) and examples (skip-gram: at most 2 window per word, each an
    input id, its weight and a target; CBOW: at most one per word, 2 window input ids and weights and a target),
    before subsampling; one piece's examples, twice (built by concatenation); the corpus as Python strings (about
    64 bytes a word). Every id and weight takes 4 bytes."""
    tokens, size = corpus_sizes(config, cache_dir)
    window = config["window"]
    floats = 4 * size * size + 4 * (config["seeds"] + config["sp_seeds"]) * size * sum(config["widths"])
    inputs = 1 if config["model"] == "skipgram" else 2 * window  # input ids per example
    epoch = 2 * window * tokens + (2 * window * tokens * 3 if inputs == 1 else tokens * (2 * inputs + 1))
    piece = 2 * config["chunk_batches"] * config["batch"] * (2 * inputs + config["negatives"] + 2)
    ints = epoch + piece
    return (4 * (floats + ints) + 64 * tokens) / 2**20
