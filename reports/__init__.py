"""User-facing layer of ratecheck: the command line and report rendering."""
