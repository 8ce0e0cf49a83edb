"""One module per verb: its Query model, grammar, rendering, engine, help and follow-ups.

`pricing.verbs.registry` names them and imports each when a question first needs it; this
package's `__init__` stays empty, so that importing one verb imports no other."""
