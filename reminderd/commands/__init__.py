"""One module per command group: each function takes (args, context) and returns a status."""
