"""The llmcost domain: tariffs, token counting, the command grammar and the pricing engine.

Nothing here knows about Slack, HTTP, databases or clocks; callers pass in "today".
"""
