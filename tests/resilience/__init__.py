"""Tests for the PawControl resilience package."""
