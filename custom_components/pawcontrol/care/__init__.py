"""Dog care: walks, meals, weights, walk advice and reminders, beside resilience/."""
