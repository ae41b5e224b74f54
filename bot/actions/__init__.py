"""Custom actions, split by feature; they call the app's HTTP API and own no data."""
