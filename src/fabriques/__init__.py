"""Fabriques: the platform that runs the AMI Tiers-lieux, end to end."""
