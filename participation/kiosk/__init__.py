"""The event kiosk: a tablet where people check in or support by typing their card's code."""
