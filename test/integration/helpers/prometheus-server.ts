// The launcher lives in src/ (the canary demo starts one too); tests import it from here.
export { startPrometheus, type PrometheusServer } from '../../../src/cli/prometheus-server.js';
