"""Locale formats (settings.FORMAT_MODULE_PATH). Only the input formats change:
the first one is what a form prints into an input, and <input type="date">
accepts ISO dates only (2026-12-01), never 2026/12/01."""
