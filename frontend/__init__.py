"""The web pages: templates, static ES modules, accounts and the lesson page."""
