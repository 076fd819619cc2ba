"""The trainlog web dashboard (Dash): ``create_app(data_dir)`` builds it, ``run`` serves it.

Pages live in ``dashboards.pages``, figures in ``dashboards.figures`` (pure
functions), and every read of the dataset goes through ``dashboards.data``.
"""
