import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { canaryPhases } from '../src/canary-status.js';
import { formatCommand, shellJoin, shellQuote } from '../src/command.js';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('kubectl')).toBe('kubectl');
    expect(shellQuote('--timeout=300s')).toBe('--timeout=300s');
    expect(shellQuote('kindest/node:v1.35.1@sha256:05d7')).toBe('kindest/node:v1.35.1@sha256:05d7');
    expect(shellQuote('%{http_code}')).toBe("'%{http_code}'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('gives bash back exactly the original arguments', async () => {
    const argv = [
      'jsonpath={.spec.template.spec.containers[?(@.name=="backend")].env}',
      '{"name":"frontend","metadata":{"url":"http://frontend-primary.app:8080"}}',
      "it's $HOME and `date` and $(id) ; rm -rf / & | > <",
      'https://github.com/fluxcd/flagger//kustomize/istio?ref=v1.44.0',
      'Host: appdist.example.com',
      '',
      '*',
    ];
    const result = await execa('bash', ['-c', `printf '%s\\0' ${shellJoin(argv)}`]);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(argv);
  });
});

describe('formatCommand', () => {
  it('prints each kind of command as one line with its bound', () => {
    expect(
      formatCommand({
        kind: 'exec',
        argv: ['kubectl', 'get', 'pods'],
        timeoutSeconds: 10,
        stdoutFile: '/tmp/out dir/pods.txt',
        bestEffort: true,
      }),
    ).toBe("kubectl get pods > '/tmp/out dir/pods.txt'  # best effort");
    expect(formatCommand({ kind: 'shell', script: 'a | b', timeoutSeconds: 5 })).toBe('a | b');
    expect(
      formatCommand({
        kind: 'poll',
        command: { kind: 'exec', argv: ['kubectl', 'get', 'canaries'], timeoutSeconds: 60 },
        attempts: 60,
        intervalSeconds: 10,
        until: canaryPhases({ backend: 'Failed' }, { backend: 'Succeeded' }),
      }),
    ).toBe(
      'kubectl get canaries  # poll: at most 60 × 10s until backend Failed (stop on backend Succeeded)',
    );
    expect(
      formatCommand({
        kind: 'background',
        argv: ['kubectl', 'port-forward', 'service/tester', '18090:80'],
        logFile: '/w/logs/pf.log',
      }),
    ).toBe(
      'kubectl port-forward service/tester 18090:80 > /w/logs/pf.log 2>&1 &  # until the step ends',
    );
  });
});
