"""Acting for a resident: the centre's members, and what animators do on their behalf."""
