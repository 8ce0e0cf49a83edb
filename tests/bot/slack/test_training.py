"""Which shared file a Slack message may have read: a .jsonl file shared with the question, or
the file of the thread's own question; nothing typed."""

import pytest

from bot.slack.training import (
    MAX_FILE_BYTES,
    FileRefused,
    file_question,
    readable,
    training_file_in,
)
from pricing.parse import parse


def shared(name: str, size: int = 10, file_id: str = "F1") -> dict:
    return {"id": file_id, "name": name, "size": size, "url_private": f"https://x/{name}"}


def test_the_jsonl_file_of_a_message_is_the_training_file():
    file = training_file_in({"files": [shared("notes.txt"), shared("train.jsonl", file_id="F2")]})
    assert file is not None
    assert (file.id, file.name) == ("F2", "train.jsonl")
    assert training_file_in({"text": "hi"}) is None


def test_another_type_or_a_file_over_the_limit_is_refused():
    with pytest.raises(FileRefused, match=r"cat\.png is not one"):
        training_file_in({"files": [shared("cat.png")]})
    with pytest.raises(FileRefused, match="up to 50 MB"):
        training_file_in({"files": [shared("big.jsonl", size=MAX_FILE_BYTES + 1)]})


def test_the_question_names_the_shared_file_once():
    file = training_file_in({"files": [shared("my train.jsonl", file_id="F9")]})
    assert file is not None
    question = file_question("finetune gpt-4o-mini epochs 2", file)
    assert question == "finetune slack:F9:my_train.jsonl gpt-4o-mini epochs 2"
    assert parse(question).file == "slack:F9:my_train.jsonl"


def test_only_the_shared_file_or_the_threads_file_may_be_read():
    file = training_file_in({"files": [shared("train.jsonl", file_id="F1")]})
    asked = parse("finetune slack:F1:train.jsonl")
    assert readable(asked, file, None) == "F1"
    assert readable(asked, None, "finetune slack:F1:train.jsonl gpt-4o-mini") == "F1"
    for typed in ("finetune slack:F2:other.jsonl", "finetune /etc/passwd.jsonl"):
        with pytest.raises(FileRefused, match="only a training file shared"):
            readable(parse(typed), file, "finetune slack:F1:train.jsonl")
