"""Pages about the platform itself: language, accessibility, privacy, help, health check."""
