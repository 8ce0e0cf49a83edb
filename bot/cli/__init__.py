"""The `llmcost` command line: questions, `digest preview`, and the entry point for the rest."""
