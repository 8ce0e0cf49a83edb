"""The pages an installer sees: "Add to Slack", then what became of the install, each saying what
happened and what to do next, in plain HTML that loads nothing from elsewhere.

Every outcome of Slack's redirect is one of Bolt's reasons (bot.slack.install.flow adds one:
an org-wide install, which llmcost refuses); each gets its page and one log line, and nothing is
stored unless the install succeeded.
"""

import html
import logging

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
ORG_INSTALL_REFUSED = "org_install"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 36em; margin: 4em auto; padding: 0 1em;
  color: #1d1c1d; }}
a.button {{ display: inline-block; padding: .6em 1.2em; border-radius: 6px; background: #4a154b;
  color: #fff; text-decoration: none; font-weight: 600; }}
</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


class OrgInstallRefused(BoltError):
    """An Enterprise Grid org-wide install (bot.slack.install.flow refuses it before it is
    stored): llmcost keeps each workspace's rows apart, and an org-wide install would answer for
    workspaces that never chose it."""


# Bolt's reason -> (what happened, what to do). The install page's link starts again.
_START_AGAIN = f'<a href="{INSTALL_PATH}">Start again from the install page</a>'
FAILURES: dict[str, tuple[str, str]] = {
    "access_denied": (
        "The install was cancelled in Slack, so llmcost was not installed.",
        f"{_START_AGAIN} whenever you want to add it.",
    ),
    "invalid_browser": (
        "This page was opened without the install session it belongs to: in another browser "
        "than the one that started the install, with cookies blocked, or from a link llmcost "
        "did not issue. Nothing was installed.",
        f"{_START_AGAIN} in this browser, with cookies allowed for this site.",
    ),
    "invalid_state": (
        "This install link has expired or was already used (each lasts 10 minutes and works "
        "once). Nothing was installed.",
        f"{_START_AGAIN}.",
    ),
    "missing_code": (
        "Slack sent you back without an authorization code. Nothing was installed.",
        f"{_START_AGAIN}.",
    ),
    "invalid_code": (
        "Slack did not accept the authorization (oauth.v2.access refused it). Nothing was "
        "installed.",
        f"{_START_AGAIN}. If it fails again, the app's operator should check SLACK_CLIENT_ID, "
        "SLACK_CLIENT_SECRET and the Redirect URL.",
    ),
    "storage_error": (
        "Slack authorized llmcost, but it could not save the installation.",
        f"{_START_AGAIN} in a few minutes; the app's log says what went wrong.",
    ),
    ORG_INSTALL_REFUSED: (
        "llmcost is installed workspace by workspace, not for a whole Enterprise Grid "
        "organization: its answers, threads and digests belong to one workspace each. The "
        "org-wide install was undone.",
        f"{_START_AGAIN} and choose a workspace of your organization.",
    ),
}
# Any other `error` Slack sends back in the redirect.
_OTHER_ERROR = ("Slack stopped the install ({reason}). Nothing was installed.", f"{_START_AGAIN}.")


def page(title: str, *paragraphs: str) -> str:
    """A whole page; `paragraphs` are HTML already (what they echo is escaped by the caller)."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return _PAGE.format(title=html.escape(title), body=body)


def install_page(authorize_url: str) -> str:
    return page(
        "Add llmcost to Slack",
        "llmcost prices LLM usage where your team talks: <code>/llmcost compare gpt-4o "
        "claude-sonnet-4 1M tokens</code>, replies in its threads, and a weekly digest of "
        "tariff changes.",
        f'<a class="button" id="add-to-slack" href="{html.escape(authorize_url)}">Add to Slack</a>',
    )


def _html_response(status: int, body: str, deleting_cookie: str) -> BoltResponse:
    headers = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [deleting_cookie]}
    return BoltResponse(status=status, body=body, headers=headers)


async def installed(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    name = installation.team_name or installation.team_id or "your workspace"
    log.info("installed in workspace %s (%s)", installation.team_id, installation.team_name)
    body = page(
        "llmcost is installed",
        f"llmcost is installed in <strong>{html.escape(name)}</strong>.",
        "Try <code>/llmcost help</code> in any channel, or open llmcost's Home tab in Slack.",
    )
    return _html_response(200, body, args.settings.state_utils.build_set_cookie_for_deletion())


async def not_installed(args: AsyncFailureArgs) -> BoltResponse:
    reason, status = args.reason, args.suggested_status_code
    if isinstance(args.error, OrgInstallRefused):  # Bolt reports it as a storage error
        reason, status = ORG_INSTALL_REFUSED, 403
    happened, next_step = FAILURES.get(reason, _OTHER_ERROR)
    happened = happened.format(reason=html.escape(reason))
    detail = f": {args.error}" if args.error is not None else ""
    # %r: `reason` may be any text a link carried in ?error=, line breaks included.
    log.warning("an install did not complete: %r%s", reason, detail)
    body = page("llmcost was not installed", happened, next_step)
    return _html_response(
        status,
        body,
        args.settings.state_utils.build_set_cookie_for_deletion(),
    )


CALLBACKS = AsyncCallbackOptions(success=installed, failure=not_installed)
