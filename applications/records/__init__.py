"""Records of personal data over time: retention periods and their steps, consent, and a person's own data."""
