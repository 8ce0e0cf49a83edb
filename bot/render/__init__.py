"""One Answer, rendered for a terminal (text), for machines (JSON) and, later, for Slack."""
