"""Test-session hooks."""


def pytest_collection_modifyitems(config, items):
    """Test files holding a test marked `pipeline` first, each file's tests kept together and in order (a stable
    sort by file). Under `make test` (pytest-xdist, two workers, one file per work unit, in this order) the files
    that run Snakemake, the smoke run's above all, then start at once on one worker while the other takes the unit
    tests, instead of the longest file starting last."""
    pipeline_files = {item.path for item in items if item.get_closest_marker("pipeline")}
    items.sort(key=lambda item: item.path not in pipeline_files)
