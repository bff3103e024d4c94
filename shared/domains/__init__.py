"""Custom domains: add, prove ownership with a DNS TXT record, serve; the TLS proxy asks us first."""
