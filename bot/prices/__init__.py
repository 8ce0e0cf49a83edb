"""genai-prices' published data file: fetched, checked, stored as snapshots, and read back by
every process that prices."""
