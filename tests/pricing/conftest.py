import pytest

from pricing.sources import load_book


@pytest.fixture(scope="module")
def book():
    """The tariffs as shipped: the bundled file and the installed catalog, no user file."""
    return load_book()
