"""Slack-facing parts of the server: the request guard in front of Bolt."""
