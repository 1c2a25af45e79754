"""Account services: signup, verification, login, sessions and their limits. No Reflex here."""
