"""Figures, the self-contained HTML report, and number formatting for people."""
