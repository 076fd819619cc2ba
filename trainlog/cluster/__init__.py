"""Past one machine: many athletes imported and analysed on a Dask cluster (:mod:`trainlog.cluster.batch`).

The unit of work is one athlete, run through the same library as ``trainlog import``; Dask is an optional
dependency (``pip install "trainlog[cluster]"``), imported only when a batch connects to a cluster.
"""
