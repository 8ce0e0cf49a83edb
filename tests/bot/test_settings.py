"""bot/settings.py: environment variables (and a .env file) in, a Settings or one line naming the
variable that is wrong out."""

from pathlib import Path

import pytest

from bot.settings import SLACK_API_URL, Settings, SettingsError, load_settings

BOT_TOKEN = "xoxb-123-456-abc"
APP_TOKEN = "xapp-1-A111-222-def"
SIGNING_SECRET = "0123456789abcdef" * 2
VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "HOST",
    "WEB_CONCURRENCY",
    "LLMCOST_TARIFFS",
    "LOG_LEVEL",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_REDIRECT_URI",
)
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "abcdef0123456789" * 2


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No setting from the developer's shell or .env file leaks into a test."""
    monkeypatch.chdir(tmp_path)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http_mode(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)


def _error(**overrides: object) -> str:
    with pytest.raises(SettingsError) as raised:
        load_settings(**overrides)
    message = str(raised.value)
    assert message == raised.value.message
    assert "\n" not in message, "a settings error is one line"
    assert "validation error" not in message  # pydantic's report, not the one line
    return message


# -- the tokens and the mode -------------------------------------------------------------------


def test_http_mode_needs_the_bot_token_and_the_signing_secret(http_mode):
    settings = load_settings()

    assert settings.slack_bot_token == BOT_TOKEN
    assert settings.slack_signing_secret == SIGNING_SECRET
    assert settings.slack_app_token is None
    assert settings.socket_mode is False


def test_client_credentials_without_a_bot_token_mean_distribution(monkeypatch):
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    settings = load_settings()

    assert settings.distribution is True
    assert settings.slack_bot_token is None
    assert load_settings(slack_client_id="", slack_client_secret="", slack_bot_token=BOT_TOKEN)
    assert not load_settings(
        slack_client_id="", slack_client_secret="", slack_bot_token=BOT_TOKEN
    ).distribution


def test_a_bot_token_and_client_credentials_together_are_refused_naming_both_modes(http_mode):
    message = _error(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET)

    assert message.startswith("SLACK_BOT_TOKEN and SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are")
    assert "SLACK_BOT_TOKEN means one workspace" in message
    assert "any workspace installs with Add to Slack" in message


@pytest.mark.parametrize(
    ("given", "missing"),
    [("slack_client_id", "SLACK_CLIENT_SECRET"), ("slack_client_secret", "SLACK_CLIENT_ID")],
)
def test_half_the_client_credentials_names_the_other_half(monkeypatch, given, missing):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    message = _error(**{given: "x"})

    assert f"but {missing} is not" in message


def test_a_redirect_uri_must_be_a_whole_url(monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    credentials = {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET}

    message = _error(**credentials, slack_redirect_uri="/slack/oauth_redirect")

    assert message.startswith("SLACK_REDIRECT_URI must be the app's full Redirect URL")


def test_a_missing_bot_token_is_named_with_where_to_find_it(monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    message = _error()

    assert message.startswith("SLACK_BOT_TOKEN is not set.")
    assert "OAuth & Permissions" in message
    assert "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET" in message


@pytest.mark.parametrize("token", ["", "xoxp-123-456-user", "xapp-1-A111", "abc"])
def test_only_a_bot_token_is_a_bot_token(monkeypatch, token):
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    message = _error()

    assert message.startswith("SLACK_BOT_TOKEN ")
    if token:
        assert "xoxb-" in message


def test_a_user_token_is_refused(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-123-456-user")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)

    assert _error() == (
        "SLACK_BOT_TOKEN must be the app's Bot User OAuth Token, which starts with xoxb-."
    )


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_http_mode_refuses_to_start_without_the_signing_secret(monkeypatch, secret):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    if secret is not None:
        monkeypatch.setenv("SLACK_SIGNING_SECRET", secret)

    message = _error()

    assert message.startswith("SLACK_SIGNING_SECRET is not set")
    assert "SLACK_APP_TOKEN" in message  # the other way to run


@pytest.mark.parametrize("secret", ["not-hex-at-all-but-long-enough-000", "0123abcd", "ABCDEF" * 6])
def test_a_malformed_signing_secret_is_named(monkeypatch, secret):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", secret)

    message = _error()

    assert message.startswith("SLACK_SIGNING_SECRET must be")
    assert secret not in message  # a secret, even a wrong one, is not echoed


def test_socket_mode_needs_no_signing_secret(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)

    settings = load_settings()

    assert settings.socket_mode is True
    assert settings.slack_app_token == APP_TOKEN
    assert settings.slack_signing_secret is None


@pytest.mark.parametrize("token", ["xoxb-123-456-abc", "xoxp-1", "app-token"])
def test_a_bad_app_token_is_named(monkeypatch, token):
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", token)

    message = _error()

    assert message.startswith("SLACK_APP_TOKEN must be")
    assert "xapp-" in message


def test_a_blank_app_token_means_http_mode(monkeypatch, http_mode):
    monkeypatch.setenv("SLACK_APP_TOKEN", "")

    assert load_settings().socket_mode is False


# -- the other settings ------------------------------------------------------------------------


def test_defaults(http_mode):
    settings = load_settings()

    assert settings.slack_api_url == SLACK_API_URL == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.host == "0.0.0.0"
    assert settings.database_url is None
    assert settings.llmcost_tariffs is None
    assert settings.log_level == "INFO"
    assert settings.web_concurrency is None  # bot.slack.server.default_web_processes


@pytest.mark.parametrize(("given", "expected"), [("1", 1), ("4", 4), ("", None), ("  ", None)])
def test_web_concurrency_is_a_count_of_processes(monkeypatch, http_mode, given, expected):
    monkeypatch.setenv("WEB_CONCURRENCY", given)

    assert load_settings().web_concurrency == expected


@pytest.mark.parametrize("given", ["0", "-2", "65", "two", "1.5"])
def test_a_web_concurrency_that_is_no_count_is_named(monkeypatch, http_mode, given):
    monkeypatch.setenv("WEB_CONCURRENCY", given)

    assert _error().startswith("WEB_CONCURRENCY ")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8089/api", "http://127.0.0.1:8089/api/"),
        ("http://127.0.0.1:8089/api/", "http://127.0.0.1:8089/api/"),
        ("https://slack.com/api", "https://slack.com/api/"),
        ("http://localhost:1", "http://localhost:1/"),
    ],
)
def test_the_slack_api_url_ends_with_a_slash(monkeypatch, http_mode, url, expected):
    monkeypatch.setenv("SLACK_API_URL", url)

    assert load_settings().slack_api_url == expected


@pytest.mark.parametrize("url", ["slack.com/api", "not a url", "ftp://slack.com/api/", "http://"])
def test_a_slack_api_url_that_is_not_a_url_is_named(monkeypatch, http_mode, url):
    monkeypatch.setenv("SLACK_API_URL", url)

    message = _error()

    assert message.startswith("SLACK_API_URL must be an http(s) URL")


@pytest.mark.parametrize("port", ["1", "3000", "65535"])
def test_a_port_in_range(monkeypatch, http_mode, port):
    monkeypatch.setenv("PORT", port)

    assert load_settings().port == int(port)


@pytest.mark.parametrize("port", ["0", "-1", "65536", "100000", "http", "30.5"])
def test_a_port_out_of_range_is_named(monkeypatch, http_mode, port):
    monkeypatch.setenv("PORT", port)

    assert _error().startswith("PORT ")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_database_url_is_the_default_sqlite_file(monkeypatch, http_mode, blank):
    monkeypatch.setenv("DATABASE_URL", blank)

    assert load_settings().database_url is None


def test_a_database_url_is_kept_as_given(monkeypatch, http_mode):
    url = "postgresql://llmcost:p%40ss@db.example:5432/llmcost?sslmode=require"
    monkeypatch.setenv("DATABASE_URL", url)

    assert load_settings().database_url == url


def test_a_tariffs_file_is_a_path_and_blank_is_none(monkeypatch, http_mode, tmp_path):
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "tariffs.toml").write_text("")
    monkeypatch.setenv("LLMCOST_TARIFFS", "extra/tariffs.toml")
    assert load_settings().llmcost_tariffs == Path("extra/tariffs.toml")

    monkeypatch.setenv("LLMCOST_TARIFFS", "missing.toml")
    assert _error() == "LLMCOST_TARIFFS names missing.toml, which is not a file."

    monkeypatch.setenv("LLMCOST_TARIFFS", " ")
    assert load_settings().llmcost_tariffs is None


@pytest.mark.parametrize(
    ("level", "expected"),
    [("debug", "DEBUG"), ("Info", "INFO"), ("WARNING", "WARNING"), ("error", "ERROR")],
)
def test_the_log_level_is_case_insensitive(monkeypatch, http_mode, level, expected):
    monkeypatch.setenv("LOG_LEVEL", level)

    assert load_settings().log_level == expected


@pytest.mark.parametrize("level", ["verbose", "", "5"])
def test_an_unknown_log_level_is_named(monkeypatch, http_mode, level):
    monkeypatch.setenv("LOG_LEVEL", level)

    message = _error()

    assert message.startswith("LOG_LEVEL ")
    assert "DEBUG" in message


# -- where settings come from ----------------------------------------------------------------


def _write_env_file(*lines: str) -> None:
    Path(".env").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_dot_env_file_is_read():
    _write_env_file(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}",
        f"SLACK_SIGNING_SECRET={SIGNING_SECRET}",
        "PORT=8080",
        "LOG_LEVEL=debug",
        "SOMETHING_ELSE=ignored",
    )

    settings = load_settings()

    assert settings.slack_bot_token == BOT_TOKEN
    assert settings.slack_signing_secret == SIGNING_SECRET
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


def test_environment_variables_win_over_the_dot_env_file(monkeypatch):
    _write_env_file(
        "SLACK_BOT_TOKEN=xoxb-from-the-file",
        f"SLACK_SIGNING_SECRET={SIGNING_SECRET}",
        "PORT=8080",
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("PORT", "9090")

    settings = load_settings()

    assert settings.slack_bot_token == BOT_TOKEN
    assert settings.port == 9090
    assert settings.slack_signing_secret == SIGNING_SECRET  # the file still fills the gaps


def test_a_bad_value_in_the_dot_env_file_is_named():
    _write_env_file(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}", f"SLACK_SIGNING_SECRET={SIGNING_SECRET}", "PORT=99999"
    )

    assert _error().startswith("PORT ")


def test_arguments_win_over_the_environment(monkeypatch, http_mode):
    monkeypatch.setenv("PORT", "9090")

    settings = load_settings(port=7070, slack_bot_token="xoxb-argument")

    assert settings.port == 7070
    assert settings.slack_bot_token == "xoxb-argument"


def test_arguments_are_checked_like_the_environment():
    message = _error(slack_bot_token="xoxp-1", slack_signing_secret=SIGNING_SECRET)

    assert message.startswith("SLACK_BOT_TOKEN must be")


def test_settings_are_frozen(http_mode):
    settings = load_settings()

    with pytest.raises(Exception, match="frozen"):
        settings.port = 1  # type: ignore[misc]
    assert isinstance(settings, Settings)


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_bot_token_says_where_to_find_one(monkeypatch, http_mode, blank):
    monkeypatch.setenv("SLACK_BOT_TOKEN", blank)
    message = _error()
    assert message.startswith("SLACK_BOT_TOKEN is empty.")
    assert "OAuth & Permissions" in message


def test_socket_mode_ignores_a_placeholder_signing_secret(monkeypatch):
    # `.env.example` carries a placeholder secret; Socket Mode never uses it.
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "your-signing-secret")
    assert load_settings().socket_mode is True


@pytest.mark.parametrize("host", ["not..a..host", "bad host", "-leading"])
def test_a_malformed_host_is_refused(monkeypatch, http_mode, host):
    monkeypatch.setenv("HOST", host)
    assert _error().startswith("HOST must be an address to listen on")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "localhost", "web-1.internal"])
def test_hosts_to_listen_on(monkeypatch, http_mode, host):
    monkeypatch.setenv("HOST", host)
    assert load_settings().host == host
