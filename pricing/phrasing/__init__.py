"""How people say a question, turned into the grammar's own words before the grammar reads them.

Each module holds one class of phrasing as a table of phrases and the rule that applies it
(`pricing.phrasing.phrases.Phrase`); `pricing.phrasing.rewrite` applies them all, in order, and
records what each one reinterpreted, so an answer can say how its question was read.
"""
