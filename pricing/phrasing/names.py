"""Model names as people say them, beyond what the grammar joins itself ('claude 3.5 sonnet'):
a fine-tune said in words."""

from pricing.phrasing.phrases import phrase

# "fine-tuned gpt 4o mini", "ft gpt 4.1 mini": the fine-tuned model, ft:gpt-4o-mini.
NAMES = (phrase(r"\b(?:fine-?tuned|finetuned|ft)\s+(?=[a-z])", "ft:", when=("ft", "fine")),)
