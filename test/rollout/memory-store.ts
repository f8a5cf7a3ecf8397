import type { GitOpsSnapshot, GitOpsStore } from '../../src/core/store.js';
import type { FileEdit } from '../../src/core/types.js';

// An in-memory implementation of the core's GitOpsStore port, for the property tests (the git
// adapter is tested on real repositories in the other files); it keeps them fast enough to try
// many sequences.

export class MemoryStore implements GitOpsStore {
  readonly commits: { sha: string; files: Record<string, string>; message: string; at: Date }[] = [];
  constructor(files: Record<string, string>) {
    this.commits.push({ sha: 'c0', files, message: 'bootstrap', at: new Date('2026-11-30T12:00:00Z') });
  }
  private get tip() {
    return this.commits[this.commits.length - 1] as MemoryStore['commits'][number];
  }
  async read(paths: readonly string[]): Promise<GitOpsSnapshot> {
    const tip = this.tip;
    return { head: tip.sha, files: Object.fromEntries(paths.map((p) => [p, tip.files[p]])) };
  }
  async history(
    _from: string,
    visit: (c: { sha: string; committedAt: Date; message: string }) => 'more' | 'stop',
    options: { paths?: readonly string[] } = {},
  ): Promise<void> {
    for (let i = this.commits.length - 1; i >= 0; i--) {
      const c = this.commits[i] as MemoryStore['commits'][number];
      const parent = this.commits[i - 1];
      if (options.paths && parent && options.paths.every((p) => parent.files[p] === c.files[p])) continue;
      if (visit({ sha: c.sha, committedAt: c.at, message: c.message }) === 'stop') return;
    }
  }
  async commit(snapshot: GitOpsSnapshot, edits: readonly FileEdit[], message: string, at: Date) {
    if (snapshot.head !== this.tip.sha) return { kind: 'moved' as const, detail: 'moved' };
    const files = { ...this.tip.files };
    for (const e of edits) files[e.path] = e.after;
    const sha = `c${this.commits.length}`;
    this.commits.push({ sha, files, message, at });
    return { kind: 'committed' as const, sha };
  }
  file(path: string): string | undefined {
    return this.tip.files[path];
  }
}
