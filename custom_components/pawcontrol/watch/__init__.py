"""Collar watch: a collar that stops reporting, a low battery, charging."""
