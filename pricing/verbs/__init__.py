"""One module per verb: its Query model, grammar, rendering, engine, help and follow-ups.

`pricing.verbs.registry` gathers them; this package's `__init__` stays empty so that a verb
module importing `pricing.verbs.spec` does not import the registry (and so every verb)."""
