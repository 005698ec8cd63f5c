"""The accessibility statement and the privacy notice, with each centre's own parts."""
