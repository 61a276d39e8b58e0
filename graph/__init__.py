"""Neo4j: the graph model (as data), schema, writer, driver and the locally launched server."""
