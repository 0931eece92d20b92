"""Operations: /healthz, request ids and the access log, logging set-up."""
