"""OAuth distribution: "Add to Slack" for any workspace, on slack_sdk's stores and Bolt's flow,
in llmcost's own database (migration 0003)."""
