"""The misalignment rules, one function each (names are a contract)."""
