"""Every request body the emulator accepts, as a pydantic model (also its OpenAPI schemas).

One module per resource family: `projects`, `content`, `influencers`, `social`, `publishing`,
`github`, `organizations`, and `shared` (bodies several families take, and the emulator's key
route). Validators that need the world read the validation context, a dict with `emu` and, per
route, `project`, `container` or `now`. Without a context (schema generation) they are not run.
"""
