"""The built-in regional plugins (each registered through the ``zwgk.plugins`` entry point)."""
