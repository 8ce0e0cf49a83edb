"""llmcost's costing against genai-prices' `calc_price` over the whole catalog (one workload
with cache reads and writes, at one time of day): every disagreement has a stated reason."""

from bench.agreement import compare


def test_every_catalog_model_agrees_with_genai_prices_or_differs_for_a_stated_reason():
    agree, reasons, rows = compare()

    assert "unexplained" not in reasons, [row for row in rows if row[3] == "unexplained"]
    assert agree >= 1_900
    # Each difference that is not a float artefact is a unit llmcost does not price.
    assert set(reasons) <= {
        "float artefact in genai-prices' data (llmcost keeps 12 significant digits)",
        "genai-prices also bills units llmcost does not price (requests_kcount)",
    }
