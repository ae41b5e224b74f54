"""Command groups of the `puente` CLI, one module each with `register(subparsers)`."""
