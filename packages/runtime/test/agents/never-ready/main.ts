// Never listens: Mandate's readiness check must time out and kill it.
console.log('starting, but never listening');
setInterval(() => {}, 1000);
