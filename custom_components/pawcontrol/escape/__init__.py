"""The escape alert: a dog that leaves home alone."""
