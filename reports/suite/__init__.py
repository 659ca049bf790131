"""Suites of checks: the model, the built-in lecture suite, user TOML suites, execution."""
