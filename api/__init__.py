"""The outside of Kizuna: GraphQL and HTTP (FastAPI + strawberry), the CLI and the web console.

Only this package imports FastAPI or strawberry; resolvers are async and call queries/.
"""
