"""The ``kouprey`` subcommands, one module per group (registered on kouprey.cli.app)."""
