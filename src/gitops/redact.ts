// A GitOps URL may carry a token (https://x-access-token:TOKEN@github.com/acme/gitops, common in
// CI). Outside GitHub Actions nothing masks it, so every message that names the repository or
// repeats git's output goes through here first.

/** Replaces the user:password part of every URL in `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
