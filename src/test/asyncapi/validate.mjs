// Validates an AsyncAPI document with the AsyncAPI Initiative's parser: the specification's JSON
// Schema (bundled in @asyncapi/specs, nothing downloaded) and its Spectral rules. Every diagnostic
// of severity error or warning fails. A $ref to an http(s) address is not fetched but refused, so
// the check runs offline and a document that needs the network fails.
import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}

// The parser falls back to its own http(s) readers when a reader throws, so this one answers (an
// empty schema) and the address is reported below instead.
const remote = [];
const offline = (uri) => {
  remote.push(String(uri));
  return '{}';
};
const parser = new Parser({
  __unstable: {
    resolver: {
      resolvers: [
        { schema: 'http', order: 1, read: offline },
        { schema: 'https', order: 1, read: offline },
      ],
    },
  },
});

const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'), { source: file });
const SEVERITY = ['error', 'warning', 'info', 'hint'];
for (const d of diagnostics) {
  const where = d.path && d.path.length ? d.path.join('/') : '(document)';
  console.log(`${SEVERITY[d.severity] ?? d.severity}: ${d.code}: ${d.message} at ${where}`);
}
for (const uri of remote) {
  console.log(`error: remote $ref not allowed (the check runs offline): ${uri}`);
}
const failing = diagnostics.filter((d) => d.severity <= 1);
if (!document || failing.length > 0 || remote.length > 0) {
  console.log(`FAILED: ${failing.length + remote.length} error(s) or warning(s) in ${file}`);
  process.exit(1);
}
const messages = document.allMessages().length;
const operations = document.allOperations().length;
console.log(`VALID: AsyncAPI ${document.version()} document ${file}: ${operations} operations, ${messages} messages`);
