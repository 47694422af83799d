"""Utilities: environment shims and checks, checkpoint safety."""
