"""What Telegram shows: keyboards, wording, and delivery of finished work."""
