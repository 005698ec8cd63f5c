"""Centres: the public list, each centre's home, joining and leaving."""
