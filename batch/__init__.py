"""Batches of runs: sweep designs, seeds, resumable Parquet results, local and Dask engines.

`batch.design` turns ``--vary`` specs into a table of cells, `batch.seeds` gives every run its
seed from one root seed, `batch.rows` flattens a run into one table row, `batch.runner` runs the
tasks on a process pool or a Dask cluster and writes Parquet part files, and `batch.results`
reads and summarises them.
"""
