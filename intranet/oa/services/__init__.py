"""Business logic of the official document system: small functions next to the models."""
