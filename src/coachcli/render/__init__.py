"""Renderers: turn sets, sessions, actions and stats into text, Markdown, JSON and CSV."""
