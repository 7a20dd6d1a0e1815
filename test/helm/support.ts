import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { mergeValues, renderChart, type RenderedChart } from './render.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const chartDir = join(root, 'helm', 'coldstart');

export type Values = Record<string, unknown>;

export const readYaml = (path: string): Values => parse(readFileSync(path, 'utf8')) as Values;

export const defaultValues = (): Values => readYaml(join(chartDir, 'values.yaml'));

/** `helm install -f <file>`: the file's values coalesced over the chart's defaults. */
export const valuesWith = (...overrides: Values[]): Values =>
  overrides.reduce<Values>((acc, o) => mergeValues(acc, o) as Values, defaultValues());

export const EXAMPLE_FILES = ['values-eks-neuron.yaml', 'values-external-llm.yaml'] as const;

export const exampleValues = (file: string): Values => valuesWith(readYaml(join(chartDir, file)));

/** Every value set the tests render: the defaults and each example file. */
export const VALUE_SETS: [string, () => Values][] = [
  ['values.yaml', defaultValues],
  ...EXAMPLE_FILES.map((file): [string, () => Values] => [file, () => exampleValues(file)]),
];

export const render = (values: Values): RenderedChart => renderChart(chartDir, values);

// --- loose views of the Kubernetes objects the tests read -------------------------------

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface Deployment {
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds?: number;
        securityContext?: Record<string, unknown>;
        containers: Container[];
        volumes?: { name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }[];
        nodeSelector?: Record<string, string>;
        tolerations?: { key?: string; operator?: string; effect?: string }[];
      };
    };
  };
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> | null };
  spec?: Record<string, unknown>;
}

export const objects = (chart: RenderedChart): K8sObject[] => chart.documents.map((d) => d.doc as unknown as K8sObject);

export const ofKind = <T = K8sObject>(chart: RenderedChart, kind: string): T[] =>
  objects(chart).filter((o) => o.kind === kind) as T[];

export const component = (o: { metadata: { labels?: Record<string, string> } }): string | undefined =>
  o.metadata.labels?.['app.kubernetes.io/component'];
