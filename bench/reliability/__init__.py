"""Issue 10's slow reliability scripts (load, dependency audit) and the report builder."""
