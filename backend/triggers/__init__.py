"""Triggers that start a saved workflow without a person: webhooks and schedules."""
