"""Baselines the shipped readers are measured against; nothing here is on the shipped path."""
