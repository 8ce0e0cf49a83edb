"""The tariff digest: schedules, the `digest` grammar and the digest's content (pure: neither
Slack nor storage), then dispatch and the `llmcost clock` process that posts it."""
