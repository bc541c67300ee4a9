"""RedFlare Workflows: automate how contact-centre conversations are processed and acted on."""

__version__ = "0.1.0"
