"""One module per page; Dash imports them when the app is created (``use_pages``)."""
