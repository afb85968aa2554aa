"""The executor: converge every customer, idempotent and resumable, emitting progress events.

    from layers_reconcile.apply.executor import execute
    from layers_reconcile.apply.options import ApplyOptions

    report = await execute(client, workspace, options=ApplyOptions(...), on_event=render)

Never prints, prompts or exits: the CLI shows the events and maps the report to an exit code.

This file imports nothing: `plan` needs `apply.poll` (its clock and sleep), and importing a
submodule runs this file first; importing the executor here would load every step handler,
the callback server and uvicorn before a plan's first request. Import from the submodules.
"""
