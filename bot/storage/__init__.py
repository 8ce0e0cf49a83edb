"""The database shared by the web and clock processes: threads, event claims, subscriptions."""
