"""The command line: parse, call the core, render, map errors to exit codes."""
