"""End-to-end tests: PawControl in a real Home Assistant process, and its dashboard in a browser."""
