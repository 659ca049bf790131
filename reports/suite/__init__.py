"""Suites of checks: the model, user TOML suites, execution and the result cache."""
