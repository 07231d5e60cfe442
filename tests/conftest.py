"""Shared test set-up: this folder is on sys.path, so helpers such as `interval_stats` import directly."""
