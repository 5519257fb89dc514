// Handlers log a JSON line per invocation; in tests that is noise unless a test asks for it.
process.env.LOG_LEVEL ??= 'silent';
