// Handlers log a JSON line per invocation; in tests that is noise unless a test asks for it.
process.env.LOG_LEVEL ??= 'silent';
// On Node 20 the AWS SDK warns once per test file that its 2027 releases need Node 22. The project
// recommends Node 22 (README, `engines`); the warning says nothing about the code under test.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22) in its Task states; keep the workflow
// tests running on Node 20 too.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
