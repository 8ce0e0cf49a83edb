"""The Slack app: the Bolt app and its listeners, the server that runs them, the Web API client,
Slack's markup, delivering replies into conversations, and the guard in front of Bolt."""
