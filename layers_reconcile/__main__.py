from layers_reconcile.cli.main import main

main()
