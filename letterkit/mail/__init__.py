"""Mail pieces: every addressee's copy of a letter, the print file for the mail house,
mailpieces.csv, window checks and the USPS Intelligent Mail barcode.

Kept light: kits.py imports `letterkit.mail.settings` when a kit loads.
"""
