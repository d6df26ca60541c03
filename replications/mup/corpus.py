"""Offline text for the muP group's language models (TP5's Transformer, TP4's Word2Vec) and its word benchmarks.

Default (what pip installs): the test data of the pinned `gensim` wheel,
* a shortened English Wikipedia dump (106 articles once redirects and stubs are dropped), cleaned to plain text by
  gensim's own MediaWiki filter (`gensim.corpora.wikicorpus.filter_wiki`, the cleaning of its `WikiCorpus`), its
  bold and italic quote marks removed;
* the Google word-analogy questions (`questions-words.txt`, Mikolov et al. 2013) and WordSim-353 (`wordsim353.tsv`).
`paper`: WikiText-2 (raw) and text8 from a folder the user points to. Nothing is downloaded; a missing or damaged
file raises `DataError` naming it and saying how to get it.

Text8 cleaning (Mahoney's `wikifil.pl`, the rules TP4's corpus went through): lower case, each digit spelled out as
a word, every other character that is not a letter a-z becomes a space, runs of spaces collapse to one.
"""

from __future__ import annotations

import bz2
import functools
import hashlib
import importlib.util
import io
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from replications.core.data import DataError

GENSIM_VERSION = "4.4.0"
WIKI_DUMP = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
ANALOGIES = "questions-words.txt"
WORDSIM = "wordsim353.tsv"
# SHA-256 of the files in gensim 4.4.0's wheel (gensim/test/test_data/).
GENSIM_SHA256 = {
    WIKI_DUMP: "a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d",
    ANALOGIES: "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    WORDSIM: "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
}
# gensim's WikiCorpus drops articles with fewer tokens than this (ARTICLE_MIN_WORDS).
ARTICLE_MIN_WORDS = 50
TEXT8_CHARS = 100_000_000  # text8 is the first 10^8 characters of the cleaned enwik9
WIKITEXT2_FILES = ("wiki.train.raw", "wiki.valid.raw", "wiki.test.raw")
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _checked_bytes(path: Path, expected_sha256: str, how_to_get: str) -> bytes:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path.name} cannot be read ({error}); {how_to_get}") from error
    if (digest := hashlib.sha256(content).hexdigest()) != expected_sha256:
        raise DataError(f"{path} is damaged or not the expected version: SHA-256 {digest}, expected {expected_sha256}")
    return content


def gensim_test_path(name: str) -> Path:
    """Where the installed gensim keeps one of its test data files (gensim.test.utils.datapath's folder), found
    without importing gensim (1.5 s: it imports scipy.stats)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"gensim is not installed: pip install gensim=={GENSIM_VERSION}")
    return Path(spec.submodule_search_locations[0]) / "test" / "test_data" / name


def gensim_test_file(name: str, folder: Path | str | None = None) -> bytes:
    """The bytes of one of `GENSIM_SHA256`'s files, from gensim's test data (or `folder`), SHA-256 checked."""
    path = gensim_test_path(name) if folder is None else Path(folder) / name
    return _checked_bytes(path, GENSIM_SHA256[name], f"it ships in gensim=={GENSIM_VERSION}'s wheel (test data)")


def wikipedia_articles(folder: Path | str | None = None) -> list[tuple[str, str]]:
    """(title, plain text) of the dump's main-namespace articles that are not redirects and have at least
    `ARTICLE_MIN_WORDS` words, in dump order, cleaned by gensim's MediaWiki filter."""
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    raw = gensim_test_file(WIKI_DUMP, folder)
    articles = []
    for title, markup, _page_id in extract_pages(bz2.BZ2File(io.BytesIO(raw))):
        if markup.lstrip().lower().startswith("#redirect"):
            continue
        text = re.sub(r"'{2,}", "", filter_wiki(markup))  # the filter leaves bold and italic quote marks
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if len(text.split()) >= ARTICLE_MIN_WORDS:
            articles.append((title, text))
    if not articles:
        raise DataError(f"{WIKI_DUMP} holds no article of {ARTICLE_MIN_WORDS} words or more")
    return articles


def text8_clean(text: str) -> str:
    """Mahoney's text8 rules: lower case, digits spelled out, non-letters to spaces, one space between words."""
    text = text.lower()
    for digit, word in enumerate(_DIGIT_WORDS):
        text = text.replace(str(digit), f" {word} ")
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def words(name: str, text8_dir: Path | str | None = None) -> list[str]:
    """TP4's Word2Vec training text as words: `name` "gensim" (the Wikipedia articles cleaned by text8's rules) or
    "text8" (text8 itself, from `text8_dir`)."""
    if name == "text8":
        return load_text8(text8_dir).split()
    return text8_clean(" ".join(body for _, body in wikipedia_articles())).split()


def frequent_word_counts(tokens: Sequence[str], min_count: int) -> dict[str, int]:
    """Each word with at least `min_count` occurrences -> its count: word2vec's vocabulary rule, the one place both
    the tp4 job's vocabulary (`word2vec.build_vocabulary`) and its memory estimate (`tp4_memory`) take it from."""
    return {word: count for word, count in Counter(tokens).items() if count >= min_count}


def analogy_questions(folder: Path | str | None = None) -> list[tuple[str, tuple[str, str, str, str]]]:
    """(section, (a, b, c, d)) for every question "a is to b as c is to d", words lower-cased."""
    section, questions = None, []
    for line in gensim_test_file(ANALOGIES, folder).decode("utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            words = line.lower().split()
            if len(words) != 4 or section is None:
                raise DataError(f"{ANALOGIES}: malformed line {line!r}")
            questions.append((section, tuple(words)))
    return questions


def wordsim353(folder: Path | str | None = None) -> list[tuple[str, str, float]]:
    """(word 1, word 2, human mean score) of the 353 WordSim pairs, words lower-cased."""
    pairs = []
    for line in gensim_test_file(WORDSIM, folder).decode("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        first, second, score = line.split("\t")
        pairs.append((first.lower(), second.lower(), float(score)))
    return pairs


def load_text8(folder: Path | str) -> str:
    """text8 from `folder` (`paper`): 10^8 characters of lower-case letters and single spaces, checked as such
    (no published digest exists for the unzipped file, so its format and size are what is checked)."""
    path = Path(folder) / "text8"
    how = "unzip text8.zip (mattmahoney.net/dc/text8.zip) into the folder given as mup.tp4.text8_dir"
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"text8 file {path} cannot be read as ASCII ({error}); {how}") from error
    if len(text) != TEXT8_CHARS or re.search(r"[^a-z ]", text):
        raise DataError(f"text8 file {path} is damaged: expected {TEXT8_CHARS} characters of a-z and space; {how}")
    return text


@functools.cache
def text8_sha256(folder: str) -> str:
    """SHA-256 (hex) of text8 in `folder`, once `load_text8` has checked it (raises `DataError` as it does). Read once
    per process: the workflow checks the 100 MB file and keys its corpus count on these bytes in the same
    invocation (`tasks.tp4_data_problems`, `tp4_memory`); a failed check is not cached."""
    return hashlib.sha256(load_text8(folder).encode("ascii")).hexdigest()


def load_wikitext2(folder: Path | str) -> dict[str, str]:
    """WikiText-2 (raw, v1) from `folder` (`paper`): {"train", "valid", "test"} -> UTF-8 text, each file checked to
    be non-empty UTF-8 with the corpus' " = Title = " headings."""
    how = "unzip wikitext-2-raw-v1.zip into the folder given as mup.transformer.wikitext2_dir"
    splits = {}
    for name in WIKITEXT2_FILES:
        path = Path(folder) / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DataError(f"WikiText-2 file {path} cannot be read as UTF-8 ({error}); {how}") from error
        if not re.search(r"^ = [^=].* = $", text, flags=re.MULTILINE):
            raise DataError(f"WikiText-2 file {path} is damaged: no ' = Title = ' heading; {how}")
        splits[name.split(".")[1]] = text
    return splits
