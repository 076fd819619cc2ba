"""Export: an athlete's data out of trainlog, as tables (CSV, Parquet) or as activity files (FIT, GPX).

Reads only through the store and the analysis. :mod:`.tables` writes
``activities``, ``daily`` and ``samples`` (:func:`~trainlog.export.tables.export_tables`)
and gives the dashboard its CSV downloads; :mod:`.files` writes one FIT or GPX file per
activity (:func:`~trainlog.export.files.export_activities`), encoded by :mod:`.fit`
(Garmin's FIT SDK) and :mod:`.gpx` (GPX 1.1); :mod:`._shared` checks the athlete, the days
and the output folder, and writes every file atomically. Nothing is imported here eagerly.
"""
