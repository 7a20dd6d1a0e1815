import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goFloat, mergeValues, renderChart } from './render.ts';

/* The test renderer itself, on the Go template / Sprig behaviours the chart relies on. */

function renderOne(template: string, values: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'coldstart-render-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: "4.5"\n');
  writeFileSync(join(dir, 'templates', '_h.tpl'), '{{- define "demo.x" -}}x-{{ .n }}{{- end -}}');
  // NOTES.txt is rendered but not parsed as YAML, so any text can be checked.
  writeFileSync(join(dir, 'templates', 'NOTES.txt'), template);
  try {
    return renderChart(dir, values).notes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('test/helm/render.ts', () => {
  it('trims whitespace at {{- and -}} and skips comments', () => {
    expect(renderOne('a  \n  {{- "b" -}}  \n c{{/* gone */}}')).toBe('abc');
  });

  it('prints values numbers like Go float64 and template arithmetic as integers', () => {
    expect(goFloat(604800)).toBe('604800');
    expect(goFloat(1000000)).toBe('1e+06');
    expect(goFloat(2592000)).toBe('2.592e+06');
    expect(renderOne('{{ .Values.n }} {{ int .Values.n }} {{ add (div .Values.n 1000) 10 }}', { n: 2_000_000 })).toBe('2e+06 2000000 2010');
  });

  it('refuses to compare a values number (float) with a literal (int), like Go', () => {
    expect(() => renderOne('{{ if eq .Values.n 1 }}{{ end }}', { n: 1 })).toThrow(/incompatible types/);
    expect(renderOne('{{ if eq (int .Values.n) 1 }}one{{ end }}', { n: 1 })).toBe('one');
  });

  it('fails on a field of a missing value and prints a missing key as nothing', () => {
    expect(() => renderOne('{{ .Values.a.b }}')).toThrow(/nil pointer/);
    expect(renderOne('[{{ .Values.a }}]')).toBe('[]');
  });

  it('ranges over maps in key order with $ as the root, and assigns to outer variables', () => {
    const out = renderOne('{{- $n := 0 }}{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }}/{{ $.Chart.Name }} {{ $n = add $n 1 }}{{ end }}{{ $n }}', { m: { b: '2', a: '1' } });
    expect(out).toBe('a=1/demo b=2/demo 2');
  });

  it('supports include with dict, nindent, toYaml, quote, default, printf and else if', () => {
    expect(renderOne('k:{{ include "demo.x" (dict "n" "y") | nindent 2 }}')).toBe('k:\n  x-y');
    expect(renderOne('{{ toYaml .Values.m | indent 2 }}', { m: { a: 1, b: [true] } })).toBe('  a: 1\n  b:\n    - true');
    expect(renderOne('{{ default "d" .Values.e | quote }} {{ printf "%s:%d" "a" 3 }}', { e: '' })).toBe('"d" a:3');
    expect(renderOne('{{ if .Values.a }}A{{ else if .Values.b }}B{{ else }}C{{ end }}', { b: true })).toBe('B');
  });

  it('prints toJson like Go: keys in byte order, HTML characters escaped, values numbers plain', () => {
    const out = renderOne('{{ toJson .Values.m }}', { m: { b: { w: 0.5, n: 128 }, a: ['<x> & y'], '10': true, '9': null } });
    expect(out).toBe('{"10":true,"9":null,"a":["\\u003cx\\u003e \\u0026 y"],"b":{"n":128,"w":0.5}}');
    expect(JSON.parse(out)).toEqual({ b: { w: 0.5, n: 128 }, a: ['<x> & y'], '10': true, '9': null });
  });

  it('throws on functions it does not implement', () => {
    expect(() => renderOne('{{ tpl "x" . }}')).toThrow(/not supported/);
  });

  it('coalesces values like Helm: maps merge, lists and scalars replace, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null })).toEqual({ a: { b: 1, c: [3] } });
  });
});
