"""llmcost's faces on the outside world: the command line now, Slack and the scheduler next."""
