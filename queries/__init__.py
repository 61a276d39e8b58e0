"""Risk questions, one module each, with their Cypher in a .cypher file beside the module.

Queries read only what the model allows and never read a protected attribute: nationality,
citizenship and ethnicity never reach a query, nor do name origin and language. They live on
PersonalData nodes that no query traverses; tests/test_no_discrimination.py enforces this over
every .cypher file.
"""
