// Compiled by types.test.js with `tsc --noEmit --strict`: every function of the API,
// with options and results as index.d.ts declares them. Never run.
import * as pregyp from '../..';
import type { CommandOptions, CommandResults, ErrorCode, PregypError } from '../..';

async function everything(): Promise<void> {
  const path: string = pregyp.find('/pkg/package.json', { debug: true, runtime: 'electron', target: '30.0.0', install: false });
  const binding: { hello(): string } = pregyp.load('/pkg', { module_root: '/pkg' });
  const code: number = await pregyp.run(['install', '--fallback-to-build']);
  const revealed: pregyp.RevealResult[] = pregyp.reveal({ directory: '/pkg' });
  const moduleName = pregyp.reveal({ args: ['module_name'] })[0];
  if (typeof moduleName !== 'string') moduleName.module_path;

  const opts: CommandOptions = {
    directory: '/pkg',
    args: ['rebuild'],
    loglevel: 'verbose',
    'build-from-source': 'a,b',
    'fallback-to-build': true,
    'fetch-timeout': 30000,
    'max-unpacked-size': '2gb',
    s3_host: 'staging',
    runtime: 'node',
    from: '/artifacts',
    write: true,
  };
  const [installed] = await pregyp.install(opts);
  const source: 'remote' | 'cache' | 'file' | 's3' | 'existing' | 'build' | 'platform-package' = installed.source;
  const sha: string | null = installed.sha256;
  const [built] = await pregyp.build(opts);
  const module: string = built.module;
  const rebuilt: CommandResults['rebuild'][] = await pregyp.rebuild(opts);
  const configured = await pregyp.configure(opts);
  const cleaned = await pregyp.clean(opts);
  const removed: boolean = cleaned[0].removed;
  const reinstalled = await pregyp.reinstall(opts);
  const [packed] = await pregyp.package(opts);
  const size: number = packed.size;
  const [tested] = await pregyp.testpackage(opts);
  const files: number = tested.files;
  const [loadable] = await pregyp.testbinary(opts);
  const [published] = await pregyp.publish(opts);
  const key: string = published.key;
  const dryRun: boolean = published.dry_run;
  const [unpublished] = await pregyp.unpublish(opts);
  const [objects] = await pregyp.info(opts);
  const lastModified: string | null = objects[0].last_modified;
  const [sums] = await pregyp.checksums(opts);
  const [built2] = await pregyp.postinstallBuild({ args: ['lib/binding'] });
  const skipped: string | null = built2.skipped;
  const [explained] = await pregyp.explain(opts);
  const libc: string = explained.target.libc;
  const [healed] = await pregyp.heal({ concurrency: 4, 'dry-run': true });
  const pending: string[] = healed.would_install.map((p) => p.state);
  const healedSources: (pregyp.InstallSource | null)[] = healed.healed.map((h) => h.source);
  const [platformPackages] = await pregyp.platformPackage(opts);
  const names: string[] = platformPackages.map((p) => p.name);
  const [deps] = await pregyp.optionalDeps({ write: true });
  const version: string | undefined = deps['@acme/widget-linux-x64-gnu'];

  const prog = new pregyp.Run({ argv: ['node', 'node-pre-gyp', 'install', '--fallback-to-build'] });
  prog.opts = { target: '20.0.0', target_arch: 'arm64' };
  const todo: { name: string; args: string[] }[] = prog.todo;
  prog.commands.install([], (err?: Error | null) => void err);
  await prog.commands.install([]);
  const host: string = prog.setBinaryHostProperty('install');

  try {
    await pregyp.install({ offline: true });
  } catch (e) {
    const c: ErrorCode = (e as PregypError).code;
    if (c === 'E_OFFLINE_CACHE_MISS' || c === 'E_DOWNLOAD_STALLED' || c === 'E_PREGYP_NO_BINARY') return;
  }
  void [pending, healedSources, dryRun, path, binding, code, revealed, source, sha, module, rebuilt, configured, removed, reinstalled, size, files, loadable, key, unpublished, lastModified, sums, skipped, libc, healed, names, version, todo, host];
}
void everything;
