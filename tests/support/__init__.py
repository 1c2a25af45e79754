"""Helpers the tests share: imported by test modules and conftest fixtures, never defining fixtures."""
