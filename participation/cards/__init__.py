"""Access cards: residents without e-mail sign in with a printed card, then a PIN."""
