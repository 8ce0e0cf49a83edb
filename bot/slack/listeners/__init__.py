"""Bolt listeners, one module per kind of Slack request; each has `register(app, services)`.

Handlers are module-level functions that take `services` last; `register` binds it
(Services.bind), and Bolt passes the rest (ack, body, client, ...) by name.
"""
