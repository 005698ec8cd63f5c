"""Proposals: members propose local initiatives, support and discuss them."""
