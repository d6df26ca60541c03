"""Benchmarks, run by `make bench`, not collected by the default test run."""
