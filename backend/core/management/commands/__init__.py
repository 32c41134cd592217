"""Operational commands: bootstrap the first admin and similar."""
