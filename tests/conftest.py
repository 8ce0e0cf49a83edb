# Database fixtures (`database_url`) for every test that stores state.
pytest_plugins = ["tests.databases"]
