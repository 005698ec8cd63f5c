"""In-app notifications with an unread count in the header."""
