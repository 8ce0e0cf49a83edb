"""Help text: short, with examples that work when pasted."""

from pricing.parse import EXAMPLES

_SUMMARY = {
    "compare": "Price a workload on several models side by side.",
    "cost": "Price one model; sizes can be per request, times a number of requests.",
    "cheapest": "Every known model priced for one workload, cheapest first.",
    "finetune": "Training cost of fine-tuning: tokens x epochs x the training price.",
    "breakeven": (
        "Requests after which a fine-tuned model with a shorter prompt has paid back its "
        "training against a base model with the long prompt."
    ),
    "tokens": "Count the tokens of pasted text and price it as input.",
    "models": "The tariff table: prices per 1M tokens, context windows, training prices.",
    "price": "One model's current prices (or on a date).",
    "history": "One model's dated price history, with sources.",
    "help": "This help, or 'help <command>'.",
}

_DETAILS = {
    "compare": (
        "Amounts: '200k tokens' (split 3:1 input:output unless you say 'split 1:1'), "
        "or '150k in 50k out'. Numbers: 1500, 1,500, 2k, 1.2M.",
        "Add 'x 1000 requests' to make the amounts per request.",
        "Add 'as of 2023-08-22' for the prices in force on that date.",
    ),
    "cost": (
        "'2k in 500 out x 10000 requests' prices 10,000 requests of that size and warns when one "
        "request does not fit the model's context window.",
        "Add 'as of 2023-08-22' for the prices in force on that date.",
    ),
    "cheapest": (
        "Narrow it with words from the name or provider: 'cheapest claude 1M tokens'. With "
        "'x N requests', models whose context window is too small are left out.",
    ),
    "finetune": (
        "Name the base model or its fine-tuned variant. "
        "Epochs: '3 epochs' or 'x3' (3 if not given).",
    ),
    "breakeven": (
        "The first model is fine-tuned (or its fine-tuned variant is used), the second is the "
        "model it replaces. 'prompt 1500 -> 200' is the long prompt, then the short one; "
        "'output 300' is the reply size; 'training 100k x3' the training tokens and epochs.",
    ),
    "tokens": ("Counts with cl100k_base (GPT-4, GPT-3.5) and o200k_base (GPT-4o and later).",),
    "models": (
        "Without a filter: llmcost's own tariffs. With one ('models claude', 'models mistral'): "
        "every model in the catalog whose name or provider matches.",
    ),
    "price": ("Add 'as of 2023-08-22' for the price on that date.",),
    "history": ("Every dated price with its source.",),
    "help": (),
}

_MORE_EXAMPLES = {
    "compare": ("compare gpt-4-8k gpt-4-32k ft-gpt-3.5 150k in 50k out as of 2023-08-22",),
    "cost": ("cost gpt-4-32k 1.2M in 300k out",),
    "cheapest": ("cheapest mini 20k in 1k out x 1000 requests",),
    "finetune": ("finetune ft-davinci-002 1M tokens x2 as of 2023-08-22",),
    "models": ("models",),
}


def help_for(topic: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lines, examples) for one command, or for all of them."""
    if topic is None:
        lines = tuple(f"{verb}: {summary}" for verb, summary in _SUMMARY.items())
        lines += (
            "Any priced question can end with 'as of YYYY-MM-DD'.",
            "digest: In Slack, a channel's weekly digest of tariff changes ('digest subscribe', "
            "'digest status', 'digest' for more); in a terminal, 'llmcost digest preview'.",
        )
        examples = tuple(EXAMPLES[verb] for verb in EXAMPLES if verb != "help")
        return lines, examples
    lines = (_SUMMARY[topic], *_DETAILS[topic])
    return lines, (EXAMPLES[topic], *_MORE_EXAMPLES.get(topic, ()))
