"""Direction: leaders' directives broken into tasks for organisations, their follow-up, the weekly
work schedule and meeting invitations."""
