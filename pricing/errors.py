"""Errors a user can cause and fix: each says what was wrong and what would work."""


class LlmcostError(Exception):
    """Base of every error shown to a user. `suggestions` are things they could type instead."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []

    @property
    def name_hint(self) -> str:
        """' Did you mean: gpt-4o, gpt-4o-mini?' after a model name llmcost does not know; other
        errors carry their example in their message ('... Try: cost gpt-4o 1M tokens')."""
        return f" Did you mean: {', '.join(self.suggestions)}?" if self.is_name_hint else ""

    @property
    def is_name_hint(self) -> bool:
        return isinstance(self, UnknownModel) and bool(self.suggestions)


def summary(error: BaseException, lines: int = 1, limit: int = 200) -> str:
    """The first `lines` lines of an error's text, joined, at most `limit` characters (library
    errors run to pages); its repr when it has no text."""
    text = str(error).strip()
    return " ".join(text.splitlines()[:lines])[:limit] if text else repr(error)


class ParseError(LlmcostError):
    """The words do not form a question llmcost understands."""


class UnknownModel(LlmcostError):
    """No tariff is known under that name."""


class NoPrice(LlmcostError):
    """The model is known but had no price on the date asked about, or lacks the price needed."""


class TariffFileError(LlmcostError):
    """A tariffs file could not be read or is malformed; nothing from it was loaded."""
