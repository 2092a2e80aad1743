"""Where exercises run: isolation, pty sessions, the screen, key notation and shell integration.

This package never imports ``trainer``, prompt_toolkit or yaml.
"""
