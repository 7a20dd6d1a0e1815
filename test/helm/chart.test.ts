import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENV_SCHEMAS } from '../support/app-env-schemas.ts';
import { configuredVariants, type ExpandConfig } from '../../apps/worker-expand/src/config.ts';
import { isModelVariant } from '@coldstart/llm';
import { QUEUE_NAMES } from '@coldstart/pipeline';
import { bullPrefix } from '@coldstart/queues';
import { deploymentPrefix } from '@coldstart/config';
import {
  component,
  LLM_SHARED_SETTINGS,
  LLM_SINGLE_MODEL_SETTINGS,
  objects,
  ofKind,
  RELEASE,
  render,
  root,
  VALUE_SETS,
  valuesWith,
  type Container,
  type Deployment,
  type K8sObject,
  type Values,
} from './support.ts';

/*
 * helm/coldstart rendered by test/helm/render.ts (a subset of Go templates + Sprig; no helm
 * binary on the development machines) with the defaults and each example file, then checked
 * against the code: every app's environment against its zod schema, probes against the ports
 * the apps serve on, KEDA's redis lists against BullMQ's key layout, the grace period against
 * SHUTDOWN_DEADLINE_MS.
 */

const APPS = APP_ENV_SCHEMAS;
const POOLS = Object.keys(APPS).filter((app) => app.startsWith('worker-'));
const RECOMMENDED_LABELS = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'].map((l) => `app.kubernetes.io/${l}`);

const dockerfileUid = Number(/^USER\s+(\d+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1]);

const deploymentOf = (docs: Deployment[], app: string): Deployment => {
  const found = docs.filter((d) => component(d) === app);
  expect(found, `one Deployment for ${app}`).toHaveLength(1);
  return found[0]!;
};
const containerOf = (d: Deployment): Container => {
  expect(d.spec.template.spec.containers).toHaveLength(1);
  return d.spec.template.spec.containers[0]!;
};
const literalEnv = (c: Container): Record<string, string> =>
  Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

function parsedEnv(app: string, c: Container): Record<string, unknown> {
  const result = APPS[app]!.safeParse(literalEnv(c));
  if (!result.success) {
    expect.fail(`${app}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data as Record<string, unknown>;
}

describe.each(VALUE_SETS)('the chart rendered with %s', (_file, valuesOf) => {
  const values = valuesOf();
  const chart = render(values);
  const all = objects(chart);
  const deployments = ofKind<Deployment>(chart, 'Deployment');
  const appDeployments = deployments.filter((d) => component(d) !== 'vllm');

  it('renders only YAML mappings with apiVersion, kind and a DNS-label name', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const o of all) {
      expect(o.apiVersion, JSON.stringify(o)).toMatch(/^[a-z0-9.]*\/?v\d+(alpha\d+|beta\d+)?$/);
      expect(o.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    }
    const ids = all.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size, 'no two objects of one kind share a name').toBe(ids.length);
  });

  it('puts the recommended labels on every object and pod template', () => {
    for (const o of all) {
      for (const label of RECOMMENDED_LABELS) expect(o.metadata.labels?.[label], `${o.kind}/${o.metadata.name}: ${label}`).toBeTruthy();
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('coldstart');
    }
    for (const d of deployments) {
      const podLabels = d.spec.template.metadata.labels;
      for (const label of RECOMMENDED_LABELS) expect(podLabels[label]).toBeTruthy();
      expect(podLabels).toMatchObject(d.spec.selector.matchLabels);
    }
  });

  it('has one Deployment and one PodDisruptionBudget per app, the PDB selecting that app', () => {
    expect(appDeployments.map(component).sort()).toEqual(Object.keys(APPS).sort());
    const pdbs = ofKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: unknown; maxUnavailable?: unknown } }>(chart, 'PodDisruptionBudget');
    expect(pdbs.map(component).sort()).toEqual(Object.keys(APPS).sort());
    for (const pdb of pdbs) {
      const target = deploymentOf(appDeployments, component(pdb)!);
      expect(target.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
      expect((pdb.spec.minAvailable === undefined) !== (pdb.spec.maxUnavailable === undefined)).toBe(true);
    }
  });

  describe.each(Object.keys(APPS))('%s', (app) => {
    const d = deploymentOf(appDeployments, app);
    const c = containerOf(d);

    it('runs its entry point from the one image', () => {
      expect(c.command).toEqual(['node', `apps/${app}/dist/main.js`]);
      expect(c.image).toBe(containerOf(deploymentOf(appDeployments, 'api')).image);
    });

    it("sets an environment that passes the app's zod schema, with no unknown or repeated variable", () => {
      parsedEnv(app, c);
      const names = (c.env ?? []).map((e) => e.name);
      expect(new Set(names).size, `repeated: ${names.join(', ')}`).toBe(names.length);
      const known = new Set(Object.keys(APPS[app]!.shape));
      expect(names.filter((n) => !known.has(n)), `${app} does not read these`).toEqual([]);
      for (const e of c.env ?? []) {
        if (e.valueFrom) {
          expect(e.valueFrom.secretKeyRef?.name).toBe((values.secrets as Values).existingSecret);
          expect(e.valueFrom.secretKeyRef?.key).toBeTruthy();
        }
      }
    });

    it('probes /healthz (liveness) and /readyz (readiness) on the port the app serves them on', () => {
      const env = parsedEnv(app, c);
      const port = app === 'api' ? env.API_PORT : env.METRICS_PORT;
      expect(env[app === 'api' ? 'API_HOST' : 'METRICS_HOST']).toBe('0.0.0.0');
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port });
      expect(c.ports?.map((p) => p.containerPort)).toEqual([port]);
    });

    it('gives the pod longer than SHUTDOWN_DEADLINE_MS to stop', () => {
      const { SHUTDOWN_DEADLINE_MS } = parsedEnv(app, c);
      const grace = d.spec.template.spec.terminationGracePeriodSeconds;
      expect(grace, 'without it Kubernetes kills after 30 s').toBeDefined();
      expect(grace!).toBeGreaterThan(Number(SHUTDOWN_DEADLINE_MS) / 1000);
      expect(Number.isInteger(grace)).toBe(true);
    });

    it('runs as the non-root uid of the Dockerfile, with resource requests, under the release ServiceAccount', () => {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: dockerfileUid });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false });
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
      const accounts = ofKind(chart, 'ServiceAccount').map((s) => s.metadata.name);
      expect(accounts).toContain(pod.serviceAccountName);
      if (c.securityContext?.readOnlyRootFilesystem === true) {
        expect(c.volumeMounts?.map((m) => m.mountPath)).toContain('/tmp');
      }
      const modelsDir = literalEnv(c).COLDSTART_MODELS_DIR;
      if (modelsDir) expect(c.volumeMounts?.map((m) => m.mountPath)).toContain(modelsDir);
    });
  });

  it('annotates the ServiceAccount with the IRSA role when one is given', () => {
    const [account, ...more] = ofKind(chart, 'ServiceAccount');
    expect(more).toEqual([]);
    const roleArn = (values.serviceAccount as Values).roleArn as string;
    if (roleArn) expect(account!.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(roleArn);
    else expect(account!.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
  });

  it('exposes the api through a Service on its http port', () => {
    const services = ofKind<K8sObject & { spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>(chart, 'Service');
    const api = services.filter((s) => component(s) === 'api');
    expect(api).toHaveLength(1);
    const target = deploymentOf(appDeployments, 'api');
    expect(target.spec.template.metadata.labels).toMatchObject(api[0]!.spec.selector);
    expect(api[0]!.spec.ports.map((p) => p.targetPort)).toEqual(['http']);
    expect(containerOf(target).ports?.[0]?.name).toBe('http');
  });

  describe('KEDA', () => {
    interface Trigger {
      type: string;
      metadata: Record<string, string>;
      authenticationRef?: { name: string };
    }
    type Scaled = K8sObject & { spec: { scaleTargetRef: { name: string }; minReplicaCount: number; maxReplicaCount: number; triggers: Trigger[] } };
    const scaled = ofKind<Scaled>(chart, 'ScaledObject');
    const autoscaling = values.autoscaling as { enabled: boolean; pools: { trigger: string; redis: { cluster?: boolean } } };

    it('renders ScaledObjects only with autoscaling.enabled, all keda.sh/v1alpha1', () => {
      if (!autoscaling.enabled) expect(scaled).toEqual([]);
      else expect(scaled.length).toBeGreaterThan(0);
      for (const s of [...scaled, ...ofKind(chart, 'TriggerAuthentication')]) expect(s.apiVersion).toBe('keda.sh/v1alpha1');
    });

    it('targets Deployments that exist, which leave replicas to KEDA', () => {
      for (const s of scaled) {
        const target = appDeployments.find((d) => d.metadata.name === s.spec.scaleTargetRef.name);
        expect(target, `${s.metadata.name} → ${s.spec.scaleTargetRef.name}`).toBeDefined();
        expect(target!.spec.replicas, 'a replicas field fights the HPA on every upgrade').toBeUndefined();
        expect(s.spec.maxReplicaCount).toBeGreaterThanOrEqual(s.spec.minReplicaCount);
        for (const t of s.spec.triggers) {
          if (t.authenticationRef) {
            expect(ofKind(chart, 'TriggerAuthentication').map((a) => a.metadata.name)).toContain(t.authenticationRef.name);
          }
        }
      }
    });

    it("scales each pool on its own queue's BullMQ backlog", () => {
      for (const s of scaled.filter((o) => POOLS.includes(component(o)!))) {
        const app = component(s)!;
        const queue = app.replace(/^worker-/, '');
        expect(QUEUE_NAMES).toContain(queue);
        const env = parsedEnv(app, containerOf(deploymentOf(appDeployments, app)));
        expect(s.spec.triggers).toHaveLength(1);
        const trigger = s.spec.triggers[0]!;
        if (autoscaling.pools.trigger === 'prometheus') {
          expect(trigger.type).toBe('prometheus');
          expect(trigger.metadata.query).toContain(`queue="${queue}"`);
          expect(trigger.metadata.query).toContain('state="waiting"');
          expect(trigger.metadata.query).toMatch(/^max\(coldstart_queue_jobs\{/);
          expect(Number(trigger.metadata.threshold)).toBeGreaterThan(0);
        } else {
          const cluster = autoscaling.pools.redis.cluster === true || /^rediss?-cluster:/.test(String(env.REDIS_URL));
          expect(trigger.type).toBe(cluster ? 'redis-cluster' : 'redis');
          // The wait LIST BullMQ pushes ready jobs to; LLEN of any other name reads 0. The apps key it as parseEnv gives them the prefix.
          expect(trigger.metadata.listName).toBe(`${bullPrefix(deploymentPrefix(String(env.REDIS_URL), String(env.COLDSTART_PREFIX)))}:${queue}:wait`);
          expect(trigger.metadata[cluster ? 'addresses' : 'address']).toMatch(/^[^:/]+:\d+$/);
          expect(Number(trigger.metadata.listLength)).toBeGreaterThan(0);
        }
      }
    });

    it('scales the ingest on the depth of exactly the queues it reads', () => {
      const ingest = scaled.filter((o) => component(o) === 'ingest');
      if (!autoscaling.enabled || !(values.autoscaling as { ingest: { enabled: boolean } }).ingest.enabled) {
        expect(ingest).toEqual([]);
        return;
      }
      expect(ingest).toHaveLength(1);
      const env = parsedEnv('ingest', containerOf(deploymentOf(appDeployments, 'ingest')));
      const triggers = ingest[0]!.spec.triggers;
      expect(triggers.every((t) => t.type === 'aws-sqs-queue')).toBe(true);
      expect(triggers.map((t) => t.metadata.queueURL!.split('/').at(-1)).sort()).toEqual([env.USER_EVENTS_QUEUE, env.ITEM_EVENTS_QUEUE].sort());
      for (const t of triggers) {
        expect(t.metadata.awsRegion).toBe(env.AWS_REGION);
        expect(Number(t.metadata.queueLength)).toBeGreaterThan(0);
        if (t.metadata.queueURL!.startsWith('https://')) expect(t.metadata.queueURL).toContain(`sqs.${String(env.AWS_REGION)}.amazonaws.com/`);
        expect(t.metadata.identityOwner === 'operator' || t.authenticationRef !== undefined, 'SQS needs credentials').toBe(true);
      }
    });
  });

  describe('vLLM', () => {
    const vllm = values.vllm as { enabled: boolean; externalBaseUrl: string; tensorParallelSize: number; port: number; model: string; compiledArtifacts: { mountPath: string } };
    const vllmDeployments = deployments.filter((d) => component(d) === 'vllm');

    it('runs on Neuron with one NeuronCore per tensor-parallel rank when enabled', () => {
      if (!vllm.enabled) {
        expect(vllmDeployments).toEqual([]);
        return;
      }
      expect(vllmDeployments).toHaveLength(1);
      const d = vllmDeployments[0]!;
      const c = containerOf(d);
      const tp = vllm.tensorParallelSize;
      expect(c.resources?.requests?.['aws.amazon.com/neuroncore']).toBe(tp);
      expect(c.resources?.limits?.['aws.amazon.com/neuroncore']).toBe(tp);
      const args = c.args ?? [];
      const arg = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
      expect(arg('--tensor-parallel-size')).toBe(String(tp));
      expect(arg('--device')).toBe('neuron');
      expect(arg('--model')).toBe(vllm.model);
      expect(Number(arg('--max-model-len'))).toBeGreaterThan(0);
      expect(Number(arg('--port'))).toBe(vllm.port);
      const cores = literalEnv(c).NEURON_RT_VISIBLE_CORES;
      expect(cores).toBe(tp === 1 ? '0' : `0-${tp - 1}`);
      const artifacts = literalEnv(c).NEURON_COMPILED_ARTIFACTS;
      expect(c.volumeMounts?.find((m) => m.name === 'neuron-cache')?.mountPath).toBe(artifacts);
      expect(artifacts).toBe(vllm.compiledArtifacts.mountPath);
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/health', port: vllm.port });
      const pod = d.spec.template.spec;
      expect(Object.keys(pod.nodeSelector ?? {})).toContain('node.kubernetes.io/instance-type');
      expect(pod.nodeSelector?.['node.kubernetes.io/instance-type']).toMatch(/^(trn1|trn1n|trn2|inf2)\./);
      expect(pod.tolerations).toContainEqual(expect.objectContaining({ key: 'aws.amazon.com/neuron', effect: 'NoSchedule' }));
      const claim = pod.volumes?.find((v) => v.name === 'neuron-cache')?.persistentVolumeClaim?.claimName;
      if (claim) expect(ofKind(chart, 'PersistentVolumeClaim').map((p) => p.metadata.name)).toContain(claim);
      const service = ofKind<K8sObject & { spec: { ports: { port: number }[] } }>(chart, 'Service').find((s) => component(s) === 'vllm');
      expect(service?.spec.ports.map((p) => p.port)).toEqual([8000]);
      expect(chart.notes).toContain(`${service!.metadata.name}.`);
    });

    it('runs no vLLM with an external base URL, and names it in NOTES.txt', () => {
      if (!vllm.externalBaseUrl) return;
      expect(vllmDeployments).toEqual([]);
      expect(ofKind(chart, 'Service').filter((s) => component(s) === 'vllm')).toEqual([]);
      expect(chart.notes).toContain(vllm.externalBaseUrl);
    });

  });

  describe('the LLM expander (worker-expand)', () => {
    const vllm = values.vllm as { enabled: boolean; externalBaseUrl: string; model: string };
    const llm = values.llm as Record<string, unknown> & { variants: Record<string, unknown>; systemPrompt: string; apiKeySecretKey: string };
    const secret = (values.secrets as { existingSecret: string }).existingSecret;
    const expand = containerOf(deploymentOf(appDeployments, 'worker-expand'));
    const env = literalEnv(expand);
    const llmNames = (c: Container): string[] => (c.env ?? []).map((e) => e.name).filter((n) => /LLM/.test(n));
    const variantsOn = Object.keys(llm.variants).length > 0;

    /** Built from the rendered Service, not from the chart's helper, so a wrong helper fails here. */
    function vllmServiceUrl(): string {
      const service = ofKind<K8sObject & { spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>(chart, 'Service').find(
        (s) => component(s) === 'vllm',
      );
      expect(service, 'vllm.enabled renders a Service').toBeDefined();
      const pod = deploymentOf(deployments, 'vllm').spec.template;
      expect(pod.metadata.labels).toMatchObject(service!.spec.selector);
      const [port, ...more] = service!.spec.ports;
      expect(more).toEqual([]);
      expect(pod.spec.containers[0]!.ports?.find((p) => p.name === port!.targetPort)).toBeDefined();
      return `http://${service!.metadata.name}.${RELEASE.namespace}.svc:${port!.port}/v1`;
    }
    const vllmUrl = vllm.enabled ? vllmServiceUrl() : vllm.externalBaseUrl;

    it('is the only app given an LLM variable', () => {
      for (const d of appDeployments.filter((x) => component(x) !== 'worker-expand')) {
        expect((containerOf(d).env ?? []).map((e) => e.name).filter((n) => /LLM|VLLM/.test(n)), component(d)).toEqual([]);
      }
    });

    it('calls vLLM (in the release or external) as one model, an experiment across llm.variants instead, or nothing', () => {
      const config = parsedEnv('worker-expand', expand) as ExpandConfig;
      const models = configuredVariants(config);
      if (variantsOn) {
        // The app refuses LLM_BASE_URL next to LLM_VARIANTS; LLM_MODEL would be ignored.
        expect(env.LLM_BASE_URL).toBeUndefined();
        expect(env.LLM_MODEL).toBeUndefined();
        expect(JSON.parse(env.LLM_VARIANTS!)).toEqual(llm.variants);
        expect(Object.keys(models ?? {}).sort()).toEqual(Object.keys(llm.variants).sort());
      } else if (vllmUrl) {
        expect(env.LLM_BASE_URL).toBe(vllmUrl);
        expect(env.LLM_MODEL).toBe(vllm.model);
        expect(env.LLM_VARIANTS).toBeUndefined();
        expect(Object.values(models ?? {}).filter(isModelVariant).map((m) => [m.baseUrl, m.model])).toEqual([[vllmUrl, vllm.model]]);
        expect(chart.notes).toContain(`LLM_BASE_URL=${vllmUrl}`);
      } else {
        expect(llmNames(expand), 'the catalog expander serves alone').toEqual([]);
        expect(models).toBeUndefined();
        expect(chart.notes).toContain('LLM expansion is off');
      }
      // An empty LLM_BASE_URL fails the schema; the check above would catch it, this says why.
      expect(env.LLM_BASE_URL).not.toBe('');
    });

    it('sets every llm value as its variable while the LLM is on, the single-model ones only without variants', () => {
      if (!variantsOn && !vllmUrl) return;
      const config = parsedEnv('worker-expand', expand);
      for (const [key, variable] of Object.entries(LLM_SHARED_SETTINGS)) expect(config[variable], `${key} -> ${variable}`).toBe(llm[key]);
      for (const [key, variable] of Object.entries(LLM_SINGLE_MODEL_SETTINGS)) {
        if (variantsOn) expect(env[variable], `${variable} is per variant in LLM_VARIANTS`).toBeUndefined();
        else expect(config[variable], `${key} -> ${variable}`).toBe(llm[key]);
      }
      if (variantsOn || !llm.systemPrompt) expect(env.LLM_SYSTEM_PROMPT).toBeUndefined();
      else expect(env.LLM_SYSTEM_PROMPT).toBe(llm.systemPrompt);
    });

    it('reads LLM_API_KEY from the existing Secret when llm.apiKeySecretKey names a key', () => {
      const apiKey = (expand.env ?? []).filter((e) => e.name === 'LLM_API_KEY');
      if ((variantsOn || vllmUrl) && secret && llm.apiKeySecretKey) {
        expect(apiKey).toEqual([{ name: 'LLM_API_KEY', valueFrom: { secretKeyRef: { name: secret, key: llm.apiKeySecretKey } } }]);
      } else expect(apiKey).toEqual([]);
    });
  });
});

describe('the chart with other settings', () => {
  it.each([1, 2, 4, 8, 32])('makes tensor parallel %i visible cores and NeuronCore requests agree', (tp) => {
    const chart = render(valuesWith({ vllm: { enabled: true, tensorParallelSize: tp } }));
    const c = ofKind<Deployment>(chart, 'Deployment').find((d) => component(d) === 'vllm')!.spec.template.spec.containers[0]!;
    expect(c.resources?.limits?.['aws.amazon.com/neuroncore']).toBe(tp);
    expect(c.env?.find((e) => e.name === 'NEURON_RT_VISIBLE_CORES')?.value).toBe(tp === 1 ? '0' : `0-${tp - 1}`);
  });

  it('rounds a fractional SHUTDOWN_DEADLINE_MS up before adding the margin', () => {
    const chart = render(valuesWith({ config: { shutdownDeadlineMs: 20_500 } }));
    for (const d of ofKind<Deployment>(chart, 'Deployment').filter((x) => component(x) !== 'vllm')) {
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(31);
    }
  });

  it('reads REDIS_URL and the API tokens from the existing Secret when told to', () => {
    const chart = render(valuesWith({ secrets: { existingSecret: 's', redisUrlKey: 'url', apiTokenKey: 'tok', apiAdminTokenKey: 'admin' } }));
    const deployments = ofKind<Deployment>(chart, 'Deployment');
    for (const d of deployments) {
      const env = d.spec.template.spec.containers[0]!.env ?? [];
      expect(env.find((e) => e.name === 'REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 's', key: 'url' });
    }
    const api = deployments.find((d) => component(d) === 'api')!.spec.template.spec.containers[0]!.env ?? [];
    expect(api.find((e) => e.name === 'API_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 's', key: 'tok' });
    expect(api.find((e) => e.name === 'API_ADMIN_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 's', key: 'admin' });
    expect(chart.notes).not.toContain('the API is open');
  });

  it('warns in NOTES.txt when the API has no token', () => {
    expect(render(valuesWith({})).notes).toContain('the API is open');
  });

  it('keeps replicas on Deployments KEDA does not drive', () => {
    const chart = render(valuesWith({ autoscaling: { enabled: true } }));
    const byApp = new Map(ofKind<Deployment>(chart, 'Deployment').map((d) => [component(d), d.spec.replicas]));
    expect(byApp.get('api')).toBe(2);
    expect(byApp.get('worker-index'), 'autoscaling.pools.apps.worker-index is off by default').toBe(1);
    expect(byApp.get('worker-recommend')).toBeUndefined();
  });

  it('runs every app on config.queuePartitions queue partitions, and refuses a redis trigger, which would read one partition', () => {
    const partitioned = valuesWith({ config: { queuePartitions: 4 } });
    for (const d of ofKind<Deployment>(render(partitioned), 'Deployment').filter((o) => (component(o) ?? '') in APPS)) {
      expect(parsedEnv(component(d)!, containerOf(d)).QUEUE_PARTITIONS, component(d)).toBe(4);
    }
    expect(() => render(valuesWith({ config: { queuePartitions: 4 }, autoscaling: { enabled: true } }))).toThrow(/queuePartitions above 1 needs autoscaling.pools.trigger: prometheus/);
    const scaled = render(valuesWith({ config: { queuePartitions: 4 }, autoscaling: { enabled: true, pools: { trigger: 'prometheus' } } }));
    expect(ofKind(scaled, 'ScaledObject').length).toBeGreaterThan(0);
  });

  it('gives worker-recommend the new-item fan-out settings, overridable per release', () => {
    const recommendEnv = (values: Values) => parsedEnv('worker-recommend', containerOf(deploymentOf(ofKind<Deployment>(render(values), 'Deployment'), 'worker-recommend')));
    const defaults = recommendEnv(valuesWith({}));
    expect(defaults).toMatchObject({ FANOUT_USERS: 100, FANOUT_MIN_SIMILARITY: 0.5, FANOUT_ACTIVE_WITHIN_SECONDS: 604_800, FANOUT_WINDOW_MS: 10_000 });
    const tuned = recommendEnv(valuesWith({ apps: { 'worker-recommend': { env: { FANOUT_USERS: '0', FANOUT_WINDOW_MS: '2500' } } } }));
    expect(tuned).toMatchObject({ FANOUT_USERS: 0, FANOUT_WINDOW_MS: 2_500, FANOUT_MIN_SIMILARITY: 0.5 });
  });
});
