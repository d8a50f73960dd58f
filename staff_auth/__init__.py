"""Staff sign-in: password plus a TOTP code, lockout after repeated failures, a log of every attempt."""
