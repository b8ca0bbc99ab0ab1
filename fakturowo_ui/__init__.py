"""Fakturowo: the self-service account area of an online invoicing service."""
