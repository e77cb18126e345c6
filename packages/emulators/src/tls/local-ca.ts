/**
 * The emulators' local certificate authority. MSAL refuses `http:` authorities, so the Entra emulator
 * serves HTTPS with a server certificate from this CA; in-process clients trust it via `trustCa`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { createCa, createServerCert, type PemPair } from './certificates.ts';

export interface LocalTls {
  caCertPem: string;
  /** Where the CA certificate was written (set when a directory was given): for NODE_EXTRA_CA_CERTS. */
  caCertFile: string | undefined;
  certPem: string;
  keyPem: string;
}

export const DEFAULT_TLS_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/**
 * Loads the CA and server certificate from `dir` (creating and persisting them when missing, or when
 * the stored server certificate does not cover `hosts` or is about to expire). Without `dir` everything
 * is generated in memory.
 */
export async function ensureLocalTls(dir?: string, hosts: string[] = DEFAULT_TLS_HOSTS): Promise<LocalTls> {
  if (!dir) {
    const ca = await createCa('Mandate Local Emulator CA');
    const server = await createServerCert(ca, hosts);
    return { caCertPem: ca.certPem, caCertFile: undefined, certPem: server.certPem, keyPem: server.keyPem };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  let ca = await readPair(files.caCert, files.caKey);
  if (!ca || !valid(ca.certPem)) {
    ca = await createCa('Mandate Local Emulator CA');
    await writePair(files.caCert, files.caKey, ca);
  }
  let server = await readPair(files.cert, files.key);
  if (!server || !valid(server.certPem) || !covers(server.certPem, hosts) || !signedBy(server.certPem, ca.certPem)) {
    server = await createServerCert(ca, hosts);
    await writePair(files.cert, files.key, server);
  }
  return { caCertPem: ca.certPem, caCertFile: files.caCert, certPem: server.certPem, keyPem: server.keyPem };
}

/** Adds `pem` to the process-wide default trust store (Node 24: used by both `fetch` and `https`). */
export function trustCa(pem: string): void {
  const current = tls.getCACertificates('default');
  if (current.includes(pem)) return;
  tls.setDefaultCACertificates([...current, pem]);
}

async function readPair(certFile: string, keyFile: string): Promise<PemPair | undefined> {
  try {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  } catch {
    return undefined;
  }
}

async function writePair(certFile: string, keyFile: string, pair: PemPair): Promise<void> {
  await writeFile(certFile, pair.certPem, { mode: 0o644 });
  await writeFile(keyFile, pair.keyPem, { mode: 0o600 });
}

function valid(pem: string): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() > Date.now() + 7 * 86_400_000;
  } catch {
    return false;
  }
}

function covers(pem: string, hosts: string[]): boolean {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return hosts.every((h) => san.includes(`DNS:${h}`) || san.includes(`IP Address:${h}`) || (h === '::1' && san.includes('IP Address:0:0:0:0:0:0:0:1')));
}

function signedBy(pem: string, caPem: string): boolean {
  try {
    return new X509Certificate(pem).verify(new X509Certificate(caPem).publicKey);
  } catch {
    return false;
  }
}
