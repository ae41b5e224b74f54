"""Puente's Twilio channels for the Rasa server: SMS and WhatsApp.

Loaded by Rasa from `bot/credentials.yml` (`connectors.twilio_sms.TwilioSMSInput`,
`connectors.twilio_whatsapp.TwilioWhatsAppInput`). Runs in the bot env (Python 3.10);
imports nothing from the app env except the plain text module
`service_directory/messages_channel.py` (see `connectors.texts`).
"""
