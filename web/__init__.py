"""The web app around the pages: its routes, its error pages and the shell's callbacks."""
