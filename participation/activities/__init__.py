"""Activities: sign-ups with capacity and waitlist, check-in, volunteers, calendars."""
