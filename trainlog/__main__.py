from trainlog.cli import main

main()
