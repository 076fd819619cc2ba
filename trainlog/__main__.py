"""``python -m trainlog``: the same command line as the installed ``trainlog``."""

from trainlog.cli import main

main()
