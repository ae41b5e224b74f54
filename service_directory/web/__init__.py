"""The curators' web (`/ui/`): server-rendered pages on the same data and rules as the
admin API, in the five languages from the same catalogs as the bot."""
