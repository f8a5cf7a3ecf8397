// Repository, commit, contents and ref routes, answered from the real git repository on disk.
import {
  commitInfo,
  createRef,
  lsTree,
  readBlob,
  resolveCommitish,
  revParse,
  type TreeEntry,
} from '../git.js';
import { newId } from '../state.js';
import { synth } from '../synth.js';
import {
  WEB,
  bodyOf,
  notFound,
  repoObject,
  repoOf,
  str,
  unprocessable,
  type Handler,
  type RestCtx,
} from './common.js';

export const getRepo: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound('https://docs.github.com/rest/repos/repos#get-a-repository');
  return { status: 200, body: repoObject(ctx, repo, 'full-repository') };
};

export const getCommit: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const ref = ctx.params['ref'] ?? '';
  const oid = await resolveCommitish(repo.dir, ref);
  const info = oid ? await commitInfo(repo.dir, oid) : undefined;
  if (!info) {
    return {
      status: 422,
      body: {
        message: `No commit found for SHA: ${ref}`,
        documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
        status: '422',
      },
    };
  }
  const url = `${ctx.apiUrl}/repos/${repo.fullName}/commits/${info.oid}`;
  return {
    status: 200,
    body: synth(ctx.api, 'commit', {
      sha: info.oid,
      node_id: `C_${info.oid}`,
      url,
      html_url: `${WEB}/${repo.fullName}/commit/${info.oid}`,
      comments_url: `${url}/comments`,
      commit: {
        url: `${ctx.apiUrl}/repos/${repo.fullName}/git/commits/${info.oid}`,
        message: info.message,
        author: { name: info.authorName, email: info.authorEmail, date: info.authorDate },
        committer: { name: info.committerName, email: info.committerEmail, date: info.committerDate },
        tree: { sha: info.tree, url: `${ctx.apiUrl}/repos/${repo.fullName}/git/trees/${info.tree}` },
        comment_count: 0,
      },
      parents: info.parents.map((p) => ({
        sha: p,
        url: `${ctx.apiUrl}/repos/${repo.fullName}/commits/${p}`,
      })),
      files: [],
    }),
  };
};

const ENTRY_TYPE: Record<TreeEntry['type'], string> = { blob: 'file', tree: 'dir', commit: 'submodule' };

function entryObject(ctx: RestCtx, fullName: string, ref: string, e: TreeEntry): Record<string, unknown> {
  const type = e.mode === '120000' ? 'symlink' : (ENTRY_TYPE[e.type] ?? 'file');
  const self = `${ctx.apiUrl}/repos/${fullName}/contents/${e.path}?ref=${encodeURIComponent(ref)}`;
  const git = `${ctx.apiUrl}/repos/${fullName}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.oid}`;
  const html = `${WEB}/${fullName}/${e.type === 'tree' ? 'tree' : 'blob'}/${ref}/${e.path}`;
  return {
    type,
    size: e.size,
    name: e.path.split('/').pop() ?? e.path,
    path: e.path,
    sha: e.oid,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === 'file' ? `https://raw.githubusercontent.com/${fullName}/${ref}/${e.path}` : null,
    _links: { self, git, html },
  };
}

/** GitHub wraps base64 content at 60 characters per line. */
function wrapBase64(buf: Buffer): string {
  const b64 = buf.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export const getContent: Handler = async (ctx) => {
  const doc = 'https://docs.github.com/rest/repos/contents#get-repository-content';
  const repo = repoOf(ctx);
  if (!repo) return notFound(doc);
  const ref = ctx.query.get('ref') ?? repo.defaultBranch;
  const commit = await resolveCommitish(repo.dir, ref);
  if (!commit) {
    return {
      status: 404,
      body: { message: `No commit found for the ref ${ref}`, documentation_url: doc, status: '404' },
    };
  }
  const path = (ctx.params['path'] ?? '').replace(/^\/+|\/+$/g, '');
  if (path === '' || (await revParse(repo.dir, `${commit}:${path}`)) !== undefined) {
    const parentDir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const siblings = path === '' ? [] : await lsTree(repo.dir, commit, parentDir);
    const self = siblings.find((e) => e.path === path);
    if (path === '' || self?.type === 'tree') {
      const entries = await lsTree(repo.dir, commit, path);
      return { status: 200, body: entries.map((e) => entryObject(ctx, repo.fullName, ref, e)) };
    }
    if (self && self.type === 'blob') {
      const data = await readBlob(repo.dir, self.oid);
      if (/vnd\.github(\.v3)?\.raw/.test(ctx.accept)) {
        return {
          status: 200,
          raw: data,
          headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
        };
      }
      // Over 1 MB GitHub leaves the content out (encoding "none"); the raw media type still works.
      const inline = data.length <= 1024 * 1024;
      return {
        status: 200,
        body: {
          ...entryObject(ctx, repo.fullName, ref, self),
          content: inline ? wrapBase64(data) : '',
          encoding: inline ? 'base64' : 'none',
        },
      };
    }
    if (self) return { status: 200, body: entryObject(ctx, repo.fullName, ref, self) };
  }
  return notFound(doc);
};

export const createGitRef: Handler = async (ctx) => {
  const repo = repoOf(ctx);
  if (!repo) return notFound();
  const body = bodyOf(ctx);
  const ref = str(body['ref']) ?? '';
  const sha = str(body['sha']) ?? '';
  if (!/^refs\/.+\/.+/.test(ref) || ref.includes('..') || ref.endsWith('/')) {
    return unprocessable('Reference name is invalid', [
      { resource: 'Reference', field: 'ref', code: 'invalid' },
    ]);
  }
  const oid = /^[0-9a-f]{40}$/.test(sha) ? await revParse(repo.dir, `${sha}^{object}`) : undefined;
  if (!oid) return unprocessable('Object does not exist');
  if (!(await createRef(repo.dir, ref, oid))) return unprocessable('Reference already exists');
  ctx.state.createdRefs.push({ repo: repo.fullName, ref, sha: oid });
  const url = `${ctx.apiUrl}/repos/${repo.fullName}/git/${ref}`;
  return {
    status: 201,
    headers: { location: url },
    body: {
      ref,
      node_id: `REF_${newId(ctx.state)}`,
      url,
      object: { type: 'commit', sha: oid, url: `${ctx.apiUrl}/repos/${repo.fullName}/git/commits/${oid}` },
    },
  };
};
