"""AI insights through the OpenAI API (any compatible server), with template fallbacks."""
