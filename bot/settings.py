"""The Slack app's configuration: environment variables (and a `.env` file), checked at start-up.

A bad value stops `llmcost serve` with one line naming the variable, before anything listens:
a server that starts and then fails every request is harder to diagnose than one that won't start.
"""

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pricing.errors import LlmcostError

SLACK_API_URL = "https://slack.com/api/"
# genai-prices' own published v2 data file, the one its UpdatePrices fetches
# (genai_prices.update_prices.DEFAULT_UPDATE_URL; a test checks they agree).
DEFAULT_PRICES_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/"
    "prices/new_data/v2/data.json"
)
S = TypeVar("S", bound=BaseSettings)


class SettingsError(LlmcostError):
    """A missing or malformed setting; the message names the variable."""


# Every process's log lines: serve's (its web and answer processes) and the clock's.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PricesSettings(BaseSettings):
    """The database and where genai-prices' data file is fetched from: `llmcost prices`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str | None = None
    # genai-prices' published data file; "off": never fetch (the installed data serves).
    llmcost_prices_url: str = DEFAULT_PRICES_URL

    @field_validator("database_url", mode="before")
    @classmethod
    def _blank_database_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        # Only the kind is checked here, without loading SQLAlchemy; whether the database can
        # be reached is known once the process has started (and stops it if not).
        if value is not None and not re.match(r"(sqlite|postgres|postgresql)(\+\w+)?://", value):
            raise ValueError(
                "must be a sqlite:///path or postgresql://user:password@host/dbname URL"
            )
        return value

    @field_validator("llmcost_prices_url")
    @classmethod
    def _prices_url(cls, value: str) -> str:
        value = value.strip()
        if value.lower() == "off":
            return "off"
        if not re.match(r"https?://[^/\s]+/?\S*$", value):
            raise ValueError(
                "must be an http(s) URL of genai-prices' data file, or off to never fetch one"
            )
        return value

    @property
    def prices_url(self) -> str | None:
        return None if self.llmcost_prices_url == "off" else self.llmcost_prices_url


class ClockSettings(PricesSettings):
    """What every process that talks to Slack needs; `llmcost clock` needs no more.

    One workspace: its bot token. Or distribution, where any workspace installs the app with
    "Add to Slack" and each request is answered with its own workspace's token: the app's client
    id and secret (bot.slack.install)."""

    slack_bot_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # Where Slack sends an installer back; unset: the one URL the app's settings list.
    slack_redirect_uri: str | None = None
    slack_api_url: str = SLACK_API_URL
    llmcost_tariffs: Path | None = None
    # llmcost's own log lines; DEBUG also says why each message was left alone.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("slack_client_id", "slack_client_secret", "slack_redirect_uri", mode="before")
    @classmethod
    def _blank_credential_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^/\s]+/\S*$", value):
            raise ValueError(
                "must be the app's full Redirect URL, such as https://llmcost.example.com"
                "/slack/oauth_redirect"
            )
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError(f"is empty. {_WHERE['SLACK_BOT_TOKEN']}")
        if not value.startswith("xoxb-"):
            raise ValueError("must be the app's Bot User OAuth Token, which starts with xoxb-")
        return value

    @model_validator(mode="after")
    def _one_mode(self) -> "ClockSettings":
        credentials = {
            "SLACK_CLIENT_ID": self.slack_client_id,
            "SLACK_CLIENT_SECRET": self.slack_client_secret,
        }
        given = [name for name, value in credentials.items() if value is not None]
        if self.slack_bot_token is not None and given:
            raise ValueError(
                f"SLACK_BOT_TOKEN and {' and '.join(given)} are both set: SLACK_BOT_TOKEN means "
                "one workspace, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET mean any workspace "
                "installs with Add to Slack. Unset one of them."
            )
        if self.slack_bot_token is None and not given:
            raise ValueError(
                f"SLACK_BOT_TOKEN is not set. {_WHERE['SLACK_BOT_TOKEN']} Or, to let any "
                "workspace install llmcost, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead."
            )
        if len(given) == 1:
            missing = next(name for name in credentials if name not in given)
            raise ValueError(
                f"{given[0]} is set but {missing} is not: distribution needs both, from the "
                "app's Basic Information page (App Credentials)."
            )
        return self

    @property
    def distribution(self) -> bool:
        """Any workspace installs the app (OAuth); otherwise one workspace, one bot token."""
        return self.slack_bot_token is None

    @field_validator("llmcost_tariffs", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llmcost_tariffs")
    @classmethod
    def _tariffs_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"names {value}, which is not a file")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        # slack_sdk appends method names to the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"


class Settings(ClockSettings):
    """`llmcost serve`: the Slack app, over HTTP or Socket Mode."""

    # Not needed in Socket Mode: Slack's requests then arrive over the app's own websocket.
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    # How often a web process looks for a newer prices snapshot (the clock stores them).
    llmcost_prices_check_seconds: float = Field(default=300, gt=0, le=86400)
    # All interfaces, as a platform's router expects; 127.0.0.1 keeps a local run private.
    host: str = "0.0.0.0"
    # HTTP mode's web processes (they ack; one more process answers). Unset: one fewer than
    # the CPUs, at least one (bot.slack.server.default_web_processes).
    web_concurrency: int | None = Field(default=None, ge=1, le=64)

    @field_validator("slack_signing_secret", "web_concurrency", mode="before")
    @classmethod
    def _blank_secret_or_count_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("xapp-"):
            raise ValueError("must be an app-level token (starts with xapp-) for Socket Mode")
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not re.fullmatch(
                r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*", value
            ):
                raise ValueError(
                    "must be an address to listen on, such as 0.0.0.0 or 127.0.0.1"
                ) from None
        return value

    @model_validator(mode="after")
    def _http_mode_needs_signing(self) -> "Settings":
        if self.slack_app_token is not None:
            return self  # Socket Mode: the secret is not used, whatever it says
        if self.slack_signing_secret is None:
            raise ValueError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it "
                "(or set SLACK_APP_TOKEN to use Socket Mode)."
            )
        if not re.fullmatch(r"[0-9a-f]{32,}", self.slack_signing_secret):
            raise ValueError(
                "SLACK_SIGNING_SECRET must be the Signing Secret from the app's Basic Information "
                "page (32 hexadecimal characters, no spaces)."
            )
        return self

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; raises SettingsError with one line naming the variable."""
    return _load(Settings, overrides)


def load_clock_settings(**overrides: object) -> ClockSettings:
    return _load(ClockSettings, overrides)


def load_prices_settings(**overrides: object) -> PricesSettings:
    return _load(PricesSettings, overrides)


def _load(kind: type[S], overrides: dict[str, Any]) -> S:
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message  # a rule across variables names them itself
    variable = str(error["loc"][0]).upper()
    if error["type"] == "missing":
        return f"{variable} is not set. {_WHERE.get(variable, '')}".strip()
    return f"{variable} {message.rstrip('.')}."


_WHERE = {
    "SLACK_BOT_TOKEN": "Copy the Bot User OAuth Token (xoxb-...) from the app's "
    "OAuth & Permissions page; see the README's 'Run it in Slack'.",
}
