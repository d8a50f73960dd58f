"""Writing cells that Excel shows exactly as the portal holds them.

- Numbers that are identifiers (ID numbers, bank cards, mobiles) are written as text, so Excel
  never rounds them to 15 significant digits or shows them in scientific notation.
- Text that a spreadsheet would take for a formula (starting with =, +, -, @, or a tab or carriage
  return, per OWASP's CSV-injection advice) gets a leading apostrophe, so it is shown, never run.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` unchanged unless it is text that starts like a formula; then with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
