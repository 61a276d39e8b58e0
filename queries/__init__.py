"""Risk questions, one module each, with their Cypher in a .cypher file beside the module.

Queries read only what the model allows: no query may read a protected attribute (nationality,
citizenship, ethnicity, name origin, language), which live on PersonalData nodes that no
query traverses (tests/test_no_discrimination.py enforces this over every .cypher file).
"""
