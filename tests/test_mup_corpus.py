"""The offline text: gensim's test data read and checked, text8's cleaning, damaged and missing files."""

import hashlib
import shutil

import numpy as np
import pytest

from replications.core.data import DataError
from replications.mup import corpus


def test_wikipedia_articles_are_plain_text():
    articles = corpus.wikipedia_articles()
    assert len(articles) == 106
    text = " ".join(body for _, body in articles)
    assert "[[" not in text and "'''" not in text and "{{" not in text
    assert all(len(body.split()) >= corpus.ARTICLE_MIN_WORDS for _, body in articles)


def test_text8_cleaning():
    assert corpus.text8_clean("The 3 Cats' toys, in 1999!") == "the three cats toys in one nine nine nine"


def test_benchmarks_read():
    questions = corpus.analogy_questions()
    assert len(questions) == 19544 and questions[0] == (
        "capital-common-countries",
        ("athens", "greece", "baghdad", "iraq"),
    )
    pairs = corpus.wordsim353()
    assert len(pairs) == 353 and pairs[0] == ("love", "sex", 6.77)


def test_damaged_and_missing_files(tmp_path):
    from gensim.test.utils import datapath

    shutil.copy(datapath(corpus.WORDSIM), tmp_path / corpus.WORDSIM)
    with (tmp_path / corpus.WORDSIM).open("a") as file:
        file.write("extra\tline\t1.0\n")
    with pytest.raises(DataError, match="damaged"):
        corpus.wordsim353(tmp_path)
    with pytest.raises(DataError, match="cannot be read"):
        corpus.analogy_questions(tmp_path)


def test_paper_files_checked(tmp_path):
    (tmp_path / "text8").write_text("only a few words")
    with pytest.raises(DataError, match="damaged"):
        corpus.load_text8(tmp_path)
    with pytest.raises(DataError, match="cannot be read"):
        corpus.load_wikitext2(tmp_path)
    for name in corpus.WIKITEXT2_FILES:
        (tmp_path / name).write_text(" = Title = \n text \n")
    assert set(corpus.load_wikitext2(tmp_path)) == {"train", "valid", "test"}


def test_the_vocabulary_is_the_frequent_words_by_count():
    from replications.mup.word2vec import build_vocabulary

    words = [f"w{i}" for i in np.random.default_rng(0).zipf(1.5, 5000) % 400]
    for min_count in (1, 3, 20):
        counts = corpus.frequent_word_counts(words, min_count)
        vocabulary = build_vocabulary(words, min_count)
        assert set(vocabulary.words) == set(counts) and min(counts.values()) >= min_count
        assert [counts[w] for w in vocabulary.words] == vocabulary.counts.tolist()
        assert all(np.diff(vocabulary.counts) <= 0)
        assert sum(1 for w in set(words) if words.count(w) >= min_count) == len(counts)


def test_corpus_counts_are_cached_by_key_and_recounted_when_damaged(tmp_path, monkeypatch, capsys):
    from replications.mup import tp4_memory

    counted = []

    def words(name, text8_dir):
        counted.append((name, text8_dir))
        return ["a", "b", "a", "c", "a", "b"]

    monkeypatch.setattr(corpus, "words", words)
    config = {"corpus": "gensim", "text8_dir": None, "min_count": 2}
    assert tp4_memory.corpus_sizes(config, tmp_path) == (6, 2) and len(counted) == 1
    assert tp4_memory.corpus_sizes(config, tmp_path) == (6, 2) and len(counted) == 1  # read back
    assert tp4_memory.corpus_sizes({**config, "min_count": 1}, tmp_path) == (6, 3) and len(counted) == 2
    path = tmp_path / "corpus" / f"{tp4_memory._cache_key('gensim', None, 2)}.json"
    path.write_text('{"words": 6')
    assert tp4_memory.corpus_sizes(config, tmp_path) == (6, 2) and len(counted) == 3
    assert f"corpus count {path} is damaged" in capsys.readouterr().err
    (tmp_path / "file").write_text("not a folder")
    assert tp4_memory.corpus_sizes(config, tmp_path / "file") == (6, 2) and len(counted) == 4
    assert "corpus count not cached at" in capsys.readouterr().err


def test_text8_is_read_once_for_its_check_and_the_count_key(tmp_path, monkeypatch):
    from replications.mup import tp4_memory
    from replications.mup.tasks import tp4_data_problems

    monkeypatch.setattr(corpus, "TEXT8_CHARS", 11)
    (tmp_path / "text8").write_text("two  words ")
    reads = []
    load = corpus.load_text8
    monkeypatch.setattr(corpus, "load_text8", lambda folder: reads.append(folder) or load(folder))
    config = {"corpus": "text8", "text8_dir": str(tmp_path), "min_count": 1}
    assert tp4_data_problems(config) == [] and tp4_data_problems(config) == []
    key = tp4_memory._cache_key("text8", str(tmp_path), 1)
    assert len(reads) == 1
    assert key == tp4_memory._cache_key("text8", str(tmp_path), 1) != tp4_memory._cache_key("text8", str(tmp_path), 2)
    assert corpus.text8_sha256(str(tmp_path)) == hashlib.sha256(b"two  words ").hexdigest()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "text8").write_text("TWO  WORDS ")
    problems = tp4_data_problems({**config, "text8_dir": str(tmp_path / "other")})
    assert [key for key, _ in problems] == ["mup.tp4.text8_dir"] and "damaged" in problems[0][1]
    (tmp_path / "other" / "text8").write_text("two  words ")  # a failed check is not remembered
    assert tp4_data_problems({**config, "text8_dir": str(tmp_path / "other")}) == []
