"""Services: the use cases. Each owns its transaction and speaks in domain terms."""
