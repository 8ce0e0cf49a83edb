"""llmcost's faces on the outside world: Slack (slack/), the tariff digests and their clock
(digests/), the database (storage/), the command line (cli/) and the renderers (render/)."""
