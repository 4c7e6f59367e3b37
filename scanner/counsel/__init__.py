"""Counselor mode: audits for many clients, kept in an encrypted workspace (issue 8).

Modules:
- vault.py: the encrypted workspace folder (scrypt + AES-256-GCM from `cryptography`), atomic
  0600 writes, best-effort shredding, and the optional session unlock cache.
- clients.py: the `exposure-audit clients ...` commands (init, add, scan, report, list, rescan,
  export, purge, lock) on top of the vault.
"""
