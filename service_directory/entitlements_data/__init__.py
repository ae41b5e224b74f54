"""Sample entitlements content (YAML, SAMPLE — to be reviewed by a local partner)."""
