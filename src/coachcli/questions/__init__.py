"""Question sets: the model, the safe YAML loader, the search path, lint and find."""
