"""Tests for PawControl."""
