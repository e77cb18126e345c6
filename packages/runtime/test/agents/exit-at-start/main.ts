// Exits before listening: Mandate must report RuntimeClientError at once, not wait for the timeout.
console.error('fatal: missing configuration');
process.exit(2);
