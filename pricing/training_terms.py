"""Fine-tuning terms that are not prices: each base model's longest training example, how
preference and validation data are billed, and the providers whose training is not priced per
token (or not published). Dated and sourced like the tariffs; the per-token prices, shutdowns
and ends of new fine-tuning jobs are in pricing/data/tariffs.toml."""

from dataclasses import dataclass

AZURE_COST_GUIDE = (
    "https://learn.microsoft.com/azure/foundry/openai/how-to/fine-tuning-cost-management"
)
VERTEX_TUNING = (
    "https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning"
)


@dataclass(frozen=True)
class ExampleCap:
    tokens: int
    source: str


# Longest training example per base model (longer ones are truncated by the trainer).
EXAMPLE_CAPS: dict[str, ExampleCap] = {
    "gpt-3.5-turbo": ExampleCap(
        16_385,
        "OpenAI fine-tuning guide: gpt-3.5-turbo-1106/0125 examples are limited to 16,385 tokens",
    ),
    "gpt-4o": ExampleCap(
        65_536,
        "Azure OpenAI fine-tuning models table: training example context length 65,536 "
        "(https://github.com/MicrosoftDocs/azure-ai-docs/pull/544/files)",
    ),
    "gpt-4o-mini": ExampleCap(
        65_536,
        "Azure OpenAI fine-tuning models table: training example context length 65,536 "
        "(https://github.com/MicrosoftDocs/azure-ai-docs/pull/544/files)",
    ),
    "gemini-2.5-pro": ExampleCap(131_072, f"Vertex AI Gemini supervised tuning ({VERTEX_TUNING})"),
    "gemini-2.5-flash": ExampleCap(
        131_072, f"Vertex AI Gemini supervised tuning ({VERTEX_TUNING})"
    ),
    "gemini-2.5-flash-lite": ExampleCap(
        131_072, f"Vertex AI Gemini supervised tuning ({VERTEX_TUNING})"
    ),
}


# Which models take preference (DPO) data; others are listed as not taking it.
PREFERENCE_UNSUPPORTED = frozenset({"gemini-2.5-pro", "gemini-2.0-flash"})

BILLING_RULES = (
    "Training is billed on tokens trained: the file's tokens x epochs, each example capped at the "
    f"model's longest training example (Azure OpenAI states this rule: {AZURE_COST_GUIDE}; "
    "Vertex AI bills dataset tokens x epochs).",
    "Preference (DPO) files: the prompt and both replies are counted and billed at the same "
    "per-token training rate (Azure OpenAI's rule for SFT and DPO); Vertex AI tunes "
    "gemini-2.5-pro and gemini-2.0-flash with supervised data only.",
    "Validation files are counted and shown but not added to the training cost: neither "
    "OpenAI's nor Vertex AI's published prices bill validation tokens (Together AI does, as "
    "epochs x validation tokens).",
)


@dataclass(frozen=True)
class TrainingOffer:
    """A provider or model whose training llmcost cannot price per token, and why."""

    provider: str
    what: str
    billing: str
    source: str


NOT_PER_TOKEN: tuple[TrainingOffer, ...] = (
    TrainingOffer(
        provider="openai",
        what="o4-mini reinforcement fine-tuning (RFT)",
        billing=(
            "bills per hour: $100/hour of training loop time, grader tokens at their model's "
            "rate; no per-token price"
        ),
        source="OpenAI, Billing guide for the Reinforcement Fine-Tuning API "
        "(https://help.openai.com/en/articles/11323177-billing-guide-for-the-reinforcement-"
        "fine-tuning-api)",
    ),
    TrainingOffer(
        provider="azure",
        what="Azure OpenAI fine-tuning (gpt-4.1, gpt-4o families)",
        billing=(
            "no published price we could read: the pricing page renders its figures in the "
            "browser; billed as tokens x epochs x a per-token rate, plus hourly hosting for "
            "Standard and Global deployments"
        ),
        source=f"Microsoft Learn, fine-tuning cost management ({AZURE_COST_GUIDE})",
    ),
    TrainingOffer(
        provider="together",
        what="Together AI fine-tuning",
        billing=(
            "no published price we could confirm: billed per token by model size, method "
            "(SFT/DPO) and LoRA or full, including validation tokens; served on a dedicated "
            "endpoint billed per minute"
        ),
        source="Together AI docs, fine-tuning pricing (https://docs.together.ai/docs/"
        "fine-tuning/pricing)",
    ),
    TrainingOffer(
        provider="fireworks",
        what="Fireworks AI LoRA SFT/DPO",
        billing=(
            "$0.50/1M training tokens for models up to 16B parameters, $3.00/1M for 16.1B-80B "
            "(pricing page as of 2025-07-19); no row here because its models' tokenizers and "
            "a dedicated deployment's cost are not known to llmcost"
        ),
        source="Fireworks AI pricing (https://fireworks.ai/pricing), transcription of 2025-07-19",
    ),
    TrainingOffer(
        provider="mistral",
        what="Mistral fine-tuning API",
        billing=(
            "no published price: deprecated ('no longer actively supported'); it had a $4 "
            "minimum per job and $2 a month per model"
        ),
        source="Mistral docs, Deprecated features: Fine-tuning (https://docs.mistral.ai)",
    ),
)
