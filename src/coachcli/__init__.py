"""coach: a terminal coaching prompter for sales managers and reps."""

__version__ = "0.1.0"
