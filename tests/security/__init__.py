"""Security suite: each attack on the portal that was found, as a test that fails on the code before its fix."""
