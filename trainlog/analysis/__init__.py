"""Analysis: stored tables -> per-sample -> per-activity -> daily -> fitness, goal.

Pure Polars over the frames the store returns (no file access), except
:mod:`.stored`, which keeps one athlete's analysis on disk through the store.
"""
