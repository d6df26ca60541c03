"""Test-session hooks."""


def pytest_collection_modifyitems(config, items):
    """Tests marked `pipeline` first (a stable sort). Under `make test` (pytest-xdist, two workers, one file per work
    unit) the files that run Snakemake, the smoke run's above all, then start at once on one worker while the other
    takes the unit tests, instead of the longest file starting last."""
    items.sort(key=lambda item: item.get_closest_marker("pipeline") is None)
