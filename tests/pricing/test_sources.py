"""Tariff files: the TOML format, merging a user's file over the bundled and catalog layers,
and errors that name the file, the entry and the field, with nothing half-loaded."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pricing.errors import TariffFileError
from pricing.money import cost_of
from pricing.sources import bundled_tariffs, load_book, read_tariff_file, user_tariffs

TODAY = date(2026, 11, 24)
USER_FILE = Path(__file__).parent.parent / "data" / "user_tariffs.toml"

GOOD_BLOCK = """
[[tariff]]
model = "ok-model"
effective = 2026-01-01
input_per_mtok = "1"
output_per_mtok = "2"
"""


@pytest.fixture(scope="module")
def plain_book():
    return load_book()


@pytest.fixture(scope="module")
def user_book():
    return load_book(USER_FILE)


def write(tmp_path: Path, text: str, name: str = "tariffs.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the format ---------------------------------------------------------------------------------


def test_the_readme_format_loads_with_every_field():
    tariffs = {t.model: t for t in user_tariffs(USER_FILE)}

    acme = tariffs["acme-large"]
    assert acme.provider == "acme"
    assert acme.aliases == ("acme-l", "acme/large-latest")
    assert [e.effective for e in acme.entries] == [date(2026, 1, 1), date(2026, 10, 1)]
    first, second = acme.entries
    assert (first.input_per_mtok, first.output_per_mtok) == (Decimal(4), Decimal(8))
    assert first.training_per_mtok == Decimal(10)
    assert first.context_window == 32000
    assert second.training_per_mtok is None
    assert acme.context_window_at(date(2026, 11, 1)) == 32000
    assert {e.origin for e in acme.entries} == {"user"}
    assert all(str(USER_FILE) in e.source for e in acme.entries)


def test_blocks_out_of_date_order_still_form_a_sorted_history(tmp_path):
    path = write(
        tmp_path,
        """
[[tariff]]
model = "m"
effective = 2026-05-01
input_per_mtok = "2"
output_per_mtok = "2"

[[tariff]]
model = "M"
provider = "p"
effective = 2025-01-01
input_per_mtok = "3"
output_per_mtok = "3"
""",
    )

    (tariff,) = user_tariffs(path)

    assert tariff.model == "m"
    assert tariff.provider == "p"  # model-level fields may sit on any block
    assert [e.input_per_mtok for e in tariff.entries] == [Decimal(3), Decimal(2)]


def test_bare_float_prices_stay_exact_decimals(tmp_path):
    path = write(
        tmp_path,
        """
[[tariff]]
model = "floaty"
effective = 2026-01-01
input_per_mtok = 0.1
output_per_mtok = 0.2
training_per_mtok = 0.3
""",
    )

    (tariff,) = user_tariffs(path)
    price = tariff.entries[0]

    assert price.input_per_mtok == Decimal("0.1")
    assert price.output_per_mtok == Decimal("0.2")
    assert price.training_per_mtok == Decimal("0.3")
    assert all(
        isinstance(p, Decimal)
        for p in (price.input_per_mtok, price.output_per_mtok, price.training_per_mtok)
    )
    # 0.1 + 0.2 as floats is 0.30000000000000004
    total = cost_of(1_000_000, price.input_per_mtok) + cost_of(1_000_000, price.output_per_mtok)
    assert total == Decimal("0.3")


def test_bare_float_in_the_shipped_example_is_exact(user_book):
    quote = user_book.quote("acme-l", TODAY)

    assert quote.entry.input_per_mtok == Decimal("0.1")
    assert str(quote.entry.input_per_mtok) == "0.1"


def test_the_bundled_file_loads():
    models = {t.model for t in bundled_tariffs()}

    assert {"gpt-4", "gpt-4-32k", "gpt-3.5-turbo", "ft:gpt-3.5-turbo", "ft:davinci-002"} <= models


def test_an_empty_file_adds_nothing(tmp_path, plain_book):
    book = load_book(write(tmp_path, "# nothing yet\n"))

    assert [t.model for t in book.own_tariffs()] == [t.model for t in plain_book.own_tariffs()]


# --- merging a user's file ----------------------------------------------------------------------


def test_user_price_for_a_bundled_model_applies_from_its_date(user_book):
    before = user_book.quote("gpt-4-8k", date(2026, 10, 31))
    on = user_book.quote("gpt-4-8k", date(2026, 11, 1))
    launch = user_book.quote("gpt-4", date(2023, 8, 22))

    assert (before.entry.input_per_mtok, before.entry.output_per_mtok) == (Decimal(30), Decimal(60))
    assert before.entry.origin == "bundled"
    assert (on.entry.input_per_mtok, on.entry.output_per_mtok) == (Decimal(20), Decimal(40))
    assert on.entry.origin == "user"
    assert str(USER_FILE) in on.entry.source
    assert launch.entry.input_per_mtok == Decimal(30)
    # model-level facts of the bundled tariff stay
    assert on.tariff.model == "gpt-4"
    assert on.tariff.provider == "openai"
    assert on.context_window == 8192
    assert {"gpt-4-8k", "gpt-4-0613"} <= set(on.tariff.aliases)


def test_user_override_keeps_the_history(user_book):
    tariff = user_book.resolve("gpt-4")

    assert [(e.effective, e.origin) for e in tariff.entries] == [
        (date(2023, 3, 14), "bundled"),
        (date(2026, 11, 1), "user"),
    ]
    assert sum(1 for t in user_book.own_tariffs() if t.model == "gpt-4") == 1


def test_user_price_for_a_catalog_only_model_merges(user_book, plain_book):
    tariff = user_book.resolve("claude-sonnet-4")
    catalog = plain_book.resolve("claude-sonnet-4")

    assert tariff.model == catalog.model
    assert tariff.provider == "anthropic"
    assert [e.origin for e in tariff.entries] == ["genai-prices", "user"]
    assert user_book.quote("claude-sonnet-4", TODAY).entry.input_per_mtok == Decimal(2)
    assert user_book.quote("claude-sonnet-4", date(2026, 10, 14)).entry.origin == "genai-prices"
    # reached by its catalog key too, and listed once
    assert user_book.resolve(catalog.model) is tariff
    assert sum(1 for t in user_book.tariffs() if t.model == catalog.model) == 1


def test_a_user_file_does_not_change_other_books(user_book):
    """The genai-prices catalog is cached; merging must not write into it."""
    fresh = load_book()

    claude = fresh.resolve("claude-sonnet-4")
    assert {e.origin for e in claude.entries} == {"genai-prices"}
    assert {e.origin for e in fresh.resolve("gpt-4").entries} == {"bundled"}
    assert fresh.find("acme-large") is None


def test_a_new_model_without_provider_is_custom(user_book):
    assert user_book.resolve("in-house-7b").provider == "custom"
    assert user_book.resolve("acme-large").provider == "acme"
    assert user_book.resolve("acme/large-latest").model == "acme-large"


def test_a_new_model_is_one_of_the_own_tariffs(user_book):
    own = [t.model for t in user_book.own_tariffs()]

    assert "acme-large" in own
    assert "in-house-7b" in own


def test_user_price_on_the_same_date_as_a_bundled_one_replaces_it(tmp_path):
    path = write(
        tmp_path,
        """
[[tariff]]
model = "ft-gpt-3.5"
effective = 2023-08-22
input_per_mtok = "11"
output_per_mtok = "15"
training_per_mtok = "7"
""",
    )

    book = load_book(path)
    tariff = book.resolve("ft:gpt-3.5-turbo")

    assert [e.effective for e in tariff.entries] == [date(2023, 8, 22), date(2023, 11, 6)]
    assert tariff.entries[0].training_per_mtok == Decimal(7)
    assert tariff.entries[0].origin == "user"


# --- malformed files ----------------------------------------------------------------------------


def assert_names(error: TariffFileError, path: Path, *parts: str) -> None:
    message = error.message
    assert str(path) in message
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("[[tariff]\nmodel = 'x'\n", ["not valid TOML", "line 1"]),
        (
            GOOD_BLOCK
            + """
[[tariff]]
model = "neg"
effective = 2026-01-01
input_per_mtok = "-1"
output_per_mtok = "1"
""",
            ["entry 2", "'neg'", "input_per_mtok"],
        ),
        (
            """
[[tariff]]
model = "no-date"
input_per_mtok = "1"
output_per_mtok = "1"
""",
            ["entry 1", "'no-date'", "effective"],
        ),
        (
            """
[[tariff]]
model = "bad-date"
effective = "2026-13-01"
input_per_mtok = "1"
output_per_mtok = "1"
""",
            ["entry 1", "'bad-date'", "effective"],
        ),
        (
            """
[[tariff]]
model = "typo"
effective = 2026-01-01
input_per_mtok = "1"
output_per_mtok = "1"
trainng_per_mtok = "1"
""",
            ["entry 1", "'typo'", "trainng_per_mtok", "unknown field"],
        ),
        (
            """
[[tariff]]
model = "word-price"
effective = 2026-01-01
input_per_mtok = "cheap"
output_per_mtok = "1"
""",
            ["entry 1", "'word-price'", "input_per_mtok"],
        ),
        (
            """
[[tariff]]
model = "tiny-window"
effective = 2026-01-01
input_per_mtok = "1"
output_per_mtok = "1"
context_window = 0
""",
            ["entry 1", "'tiny-window'", "context_window"],
        ),
        (
            """
[[tariff]]
effective = 2026-01-01
input_per_mtok = "1"
output_per_mtok = "1"
""",
            ["entry 1", "model"],
        ),
        ("[tarifs]\nmodel = 'x'\n", ["unknown section", "tarifs", "[[tariff]]"]),
        (GOOD_BLOCK + GOOD_BLOCK.replace("ok-model", "OK-Model"), ["entry 2", "entry 1"]),
        ("tariff = 3\n", ["[[tariff]]"]),
    ],
    ids=[
        "toml-syntax",
        "negative-price",
        "missing-effective",
        "bad-date",
        "unknown-optional-field",
        "price-not-a-number",
        "zero-context-window",
        "missing-model",
        "unknown-section",
        "repeated-model-and-date",
        "tariff-not-a-list",
    ],
)
def test_malformed_files_name_file_entry_and_field(tmp_path, text, parts):
    path = write(tmp_path, text)

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, *parts)


def test_repeated_date_error_names_the_date(tmp_path):
    path = write(tmp_path, GOOD_BLOCK + GOOD_BLOCK)

    with pytest.raises(TariffFileError) as caught:
        user_tariffs(path)

    assert_names(caught.value, path, "entry 2", "'ok-model'", "2026-01-01", "entry 1")


def test_a_misspelt_required_field_is_named(tmp_path):
    path = write(
        tmp_path,
        """
[[tariff]]
model = "typo"
effective = 2026-01-01
inptu_per_mtok = "1"
output_per_mtok = "1"
""",
    )

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 1", "'typo'", "inptu_per_mtok", "input_per_mtok")


def test_a_bad_last_entry_loads_nothing(tmp_path):
    """Nothing is half-loaded: the good entries before a bad one are not used either."""
    override = GOOD_BLOCK.replace("ok-model", "gpt-4-8k").replace("2026-01-01", "2026-11-01")
    good = GOOD_BLOCK + override
    bad = good + GOOD_BLOCK.replace("ok-model", "bad").replace('"2"', '"-2"')
    path = write(tmp_path, bad)

    with pytest.raises(TariffFileError) as caught:
        load_book(path)
    assert "entry 3" in caught.value.message
    with pytest.raises(TariffFileError):
        read_tariff_file(bad, label=str(path))

    # the same file without the bad entry loads, and a plain book is untouched
    path.write_text(good, encoding="utf-8")
    assert load_book(path).quote("gpt-4-8k", TODAY).entry.input_per_mtok == Decimal(1)
    plain = load_book()
    assert plain.find("ok-model") is None
    assert plain.quote("gpt-4-8k", TODAY).entry.input_per_mtok == Decimal(30)


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.toml"

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "does not exist")


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'# caf\xe9\n[[tariff]]\nmodel = "x"\n')

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "could not be read")


def test_the_same_model_twice_on_one_date_under_two_names_is_rejected(tmp_path):
    block = GOOD_BLOCK.replace("2026-01-01", "2026-11-01")
    path = write(
        tmp_path, block.replace("ok-model", "gpt-4") + block.replace("ok-model", "gpt-4-8k")
    )

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "'gpt-4'", "'gpt-4-8k'", "2026-11-01")
    assert "entry 1" in caught.value.message
    assert "entry 2" in caught.value.message


def test_an_alias_may_not_take_a_name_another_model_answers_to(tmp_path):
    path = write(
        tmp_path, GOOD_BLOCK.replace('model = "ok-model"', 'model = "z"\naliases = ["gpt-4-8k"]')
    )

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "'gpt-4-8k'", "gpt-4", 'model = "gpt-4-8k"')


def test_a_later_price_without_training_keeps_the_training_price(tmp_path):
    """The README's own example: the 2027 block restates only the usage prices."""
    path = write(
        tmp_path,
        GOOD_BLOCK.replace(
            'output_per_mtok = "2"', 'output_per_mtok = "2"\ntraining_per_mtok = "4"'
        )
        + GOOD_BLOCK.replace("2026-01-01", "2027-01-01").replace('"1"', '"0.8"'),
    )

    tariff = load_book(path).resolve("ok-model")

    assert tariff.training_price_at(date(2027, 2, 1)) == Decimal(4)
    assert tariff.entry_at(date(2027, 2, 1)).input_per_mtok == Decimal("0.8")


# --- values a file may not hold -----------------------------------------------------------------


def block(**fields: str) -> str:
    """A [[tariff]] block from GOOD_BLOCK with `fields` (TOML right-hand sides) set or added."""
    lines = {
        "model": '"ok-model"',
        "effective": "2026-01-01",
        "input_per_mtok": '"1"',
        "output_per_mtok": '"2"',
    }
    lines.update(fields)
    return "\n[[tariff]]\n" + "\n".join(f"{key} = {value}" for key, value in lines.items()) + "\n"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"input_per_mtok": '"-0"'}, "input_per_mtok", id="minus-zero"),
        pytest.param({"output_per_mtok": '"1_000"'}, "output_per_mtok", id="underscore"),
        pytest.param(
            {"input_per_mtok": '"\uff11\uff12"'}, "input_per_mtok", id="full-width-digits"
        ),
        pytest.param({"input_per_mtok": '"١٢"'}, "input_per_mtok", id="arabic-indic-digits"),
        pytest.param({"input_per_mtok": '"1e3"'}, "input_per_mtok", id="exponent"),
        pytest.param({"input_per_mtok": '"+1"'}, "input_per_mtok", id="plus-sign"),
        pytest.param({"input_per_mtok": '"1.2.3"'}, "input_per_mtok", id="two-dots"),
        pytest.param({"input_per_mtok": "1e3"}, "input_per_mtok", id="bare-exponent"),
        pytest.param({"input_per_mtok": "-0.0"}, "input_per_mtok", id="bare-minus-zero"),
        pytest.param({"input_per_mtok": "nan"}, "input_per_mtok", id="bare-nan"),
        pytest.param({"training_per_mtok": '"0x10"'}, "training_per_mtok", id="hex-training"),
        pytest.param({"training_per_mtok": "true"}, "training_per_mtok", id="boolean"),
    ],
)
def test_a_price_is_plain_ascii_digits_with_one_optional_dot(tmp_path, fields, field):
    path = write(tmp_path, block(**fields))

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 1", "'ok-model'", f"field '{field}'")


@pytest.mark.parametrize(
    ("written", "price"),
    [
        ('"0.15"', "0.15"),
        ('"30"', "30"),
        ("0.15", "0.15"),
        ("30", "30"),
        ('"0.000000000001"', "1E-12"),
    ],
)
def test_plain_prices_load_exactly(tmp_path, written, price):
    path = write(tmp_path, block(input_per_mtok=written))

    (tariff,) = user_tariffs(path)

    assert tariff.entries[0].input_per_mtok == Decimal(price)
    assert not tariff.entries[0].input_per_mtok.is_signed()


def test_a_refused_price_is_quoted_in_the_message(tmp_path):
    path = write(tmp_path, block(input_per_mtok='"\uff11\uff12"'))

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert "\uff11\uff12" in caught.value.message
    assert '"2.50"' in caught.value.message


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"model": '"???"'}, "model", id="no-letter-or-digit"),
        pytest.param({"model": '"-.-"'}, "model", id="only-punctuation"),
        pytest.param({"model": '"gpt 4"'}, "model", id="inner-space"),
        pytest.param({"model": '"gpt\\u0007x"'}, "model", id="control-character"),
        pytest.param({"model": '"gpt\\u200bx"'}, "model", id="zero-width-space"),
        pytest.param({"model": '"gpt\\nx"'}, "model", id="newline"),
        pytest.param({"aliases": '[""]'}, "aliases.0", id="empty-alias"),
        pytest.param({"aliases": '["ok", "  "]'}, "aliases.1", id="blank-alias"),
        pytest.param({"aliases": '["a b"]'}, "aliases.0", id="alias-with-space"),
        pytest.param({"aliases": '["!!"]'}, "aliases.0", id="alias-without-letters"),
        pytest.param({"provider": '"?"'}, "provider", id="provider-without-letters"),
        pytest.param({"fine_tune_of": '"   "'}, "fine_tune_of", id="blank-base"),
    ],
)
def test_names_need_a_letter_or_digit_and_no_spaces_or_controls(tmp_path, fields, field):
    path = write(tmp_path, block(**fields))

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 1", f"field '{field}'")


@pytest.mark.parametrize(
    "name",
    [
        "ft:gpt-3.5-turbo:acme::abc123",
        "openai/gpt-4o-mini-2024-07-18",
        "acme.large:v2",
        "mistral-large@2407",
        "modèle-7b",
    ],
)
def test_real_model_ids_are_names(tmp_path, name):
    path = write(tmp_path, block(model=f'"{name}"', aliases=f'["{name}-alias"]'))

    book = load_book(path)

    assert book.resolve(name).latest.origin == "user"
    assert book.resolve(f"{name}-alias") is book.resolve(name)


def test_a_retirement_before_the_price_starts_is_refused(tmp_path):
    path = write(tmp_path, block(retired="2025-12-31"))

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 1", "'ok-model'", "'retired'", "2025-12-31")


def test_a_retirement_before_its_own_blocks_date_is_refused(tmp_path):
    path = write(
        tmp_path,
        block(effective="2025-01-01") + block(effective="2026-09-01", retired="2026-06-01"),
    )

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 2", "'retired'", "2026-06-01", "2026-09-01")


def test_a_retirement_on_or_after_its_blocks_date_loads(tmp_path):
    """A later block may still price a retired model, as catalogs keep listing them."""
    path = write(
        tmp_path,
        block(retired="2026-01-01") + block(effective="2025-06-01") + block(effective="2026-11-26"),
    )

    assert load_book(path).resolve("ok-model").retired == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        pytest.param({"fine_tune_of": '"ok-model"'}, "itself", id="itself"),
        pytest.param({"fine_tune_of": '"OK-Model"'}, "itself", id="itself-in-capitals"),
        pytest.param({"aliases": '["ok"]', "fine_tune_of": '"ok"'}, "itself", id="its-own-alias"),
        pytest.param({"fine_tune_of": '"no-such-base"'}, "no-such-base", id="unknown"),
    ],
)
def test_fine_tune_of_names_another_known_model(tmp_path, fields, problem):
    path = write(tmp_path, block(**fields))

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 1", "'ok-model'", "'fine_tune_of'", problem)


@pytest.mark.parametrize(
    "base", ["gpt-4o", "gpt-4-8k", "claude-sonnet-4", "base-in-this-file"], ids=str
)
def test_fine_tune_of_may_name_a_bundled_catalog_or_own_model(tmp_path, base):
    own_base = block(model='"base-in-this-file"', effective="2025-01-01")
    path = write(tmp_path, own_base + block(fine_tune_of=f'"{base}"'))

    assert load_book(path).resolve("ok-model").fine_tune_of == base


# --- names shared inside one file ---------------------------------------------------------------


def test_an_alias_that_is_another_models_name_in_the_same_file_is_refused(tmp_path):
    """`price acme` answered acme-a's price: the clash was never checked."""
    path = write(
        tmp_path,
        block(model='"acme-a"', aliases='["acme"]') + block(model='"acme"'),
    )

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 2", "'acme'", "'acme-a'", "entry 1", "one model")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            block(model='"acme"') + block(model='"acme-a"', aliases='["ACME"]'),
            id="alias-after-the-model",
        ),
        pytest.param(
            block(model='"acme-a"', aliases='["acme"]')
            + block(model='"acme-b"', aliases='["acme"]'),
            id="one-alias-two-models",
        ),
        pytest.param(
            block(model='"large"', provider='"acme"') + block(model='"acme/large"'),
            id="provider-slash-model",
        ),
    ],
)
def test_no_name_belongs_to_two_models_of_one_file(tmp_path, text):
    path = write(tmp_path, text)

    with pytest.raises(TariffFileError) as caught:
        load_book(path)

    assert_names(caught.value, path, "entry 2", "entry 1", "one model")


def test_a_model_may_repeat_its_own_names_across_its_blocks(tmp_path):
    path = write(
        tmp_path,
        block(aliases='["ok", "ok-model"]')
        + block(model='"OK-Model"', effective="2026-06-01", aliases='["ok"]'),
    )

    assert load_book(path).resolve("ok").model == "ok-model"
