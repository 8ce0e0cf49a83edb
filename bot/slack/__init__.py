"""The Slack app: the Bolt app and its listeners, the server that runs them, the Web API client,
Slack's markup, and delivering replies into conversations."""
