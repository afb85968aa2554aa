"""The local Layers API emulator: an ASGI app, a SQLite store, simulated jobs, people and faults.

It imports nothing from the reconciler side: it is a server a stranger could have written from
the docs. Entry points: `settings.EmulatorSettings`, `app.create_app`, `server.EmulatorServer`.
Routes and every deliberate difference from the docs are listed in README.md beside this file.
"""
