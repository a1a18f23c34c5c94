// The distribution config.yml (2.8 and 3.x share the format; docs "configuration.md").
import { randomBytes } from 'node:crypto';
import { type LaunchContext, seen } from '../definition.ts';

export function distributionConfig(ctx: LaunchContext): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${seen(ctx, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${ctx.bind}:${ctx.port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (ctx.tls)
    lines.push(
      '  tls:',
      `    certificate: ${seen(ctx, 'tls/server.pem')}`,
      `    key: ${seen(ctx, 'tls/server.key')}`,
    );
  if (ctx.auth === 'htpasswd')
    lines.push('auth:', '  htpasswd:', '    realm: ocicat', `    path: ${seen(ctx, 'htpasswd')}`);
  if (ctx.auth === 'token' && ctx.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${ctx.token.realm}`,
      `    service: ${ctx.token.service}`,
      `    issuer: ${ctx.token.issuer}`,
      `    rootcertbundle: ${seen(ctx, 'token.pem')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
