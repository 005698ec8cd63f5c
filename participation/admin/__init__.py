"""Platform administration: centres and their animators."""
