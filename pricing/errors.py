"""Errors a user can cause and fix: each says what was wrong and what would work."""


class LlmcostError(Exception):
    """Base of every error shown to a user. `suggestions` are things they could type instead."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []


class ParseError(LlmcostError):
    """The words do not form a question llmcost understands."""


class UnknownModel(LlmcostError):
    """No tariff is known under that name."""


class NoPrice(LlmcostError):
    """The model is known but had no price on the date asked about, or lacks the price needed."""


class TariffFileError(LlmcostError):
    """A tariffs file could not be read or is malformed; nothing from it was loaded."""
