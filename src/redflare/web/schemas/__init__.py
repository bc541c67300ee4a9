"""Request and response bodies of the HTTP API, one module per resource (workflows, runs, …).

Schemas are pydantic models named after what they carry (`WorkflowCreate`, `WorkflowPublic`,
`WorkflowsPublic`); they hold no logic beyond shaping a service's answer for the wire.
"""
