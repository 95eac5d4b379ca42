// Unit tests of the Web UI's field-path → YAML line mapping: node --test tests/browser/
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {lineOfPath, parsePath} from '../../plugins/addons/dashboard/web/src/yaml-path.js';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: a
        image: x
      - name: b
        image: y
        ports:
          - containerPort: 80
status:
  replicas: 2
`;

test('parsePath splits keys and list indexes', () => {
  assert.deepEqual(parsePath('spec.containers[0].image'), ['spec', 'containers', 0, 'image']);
  assert.deepEqual(parsePath('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
});

test('a top-level field is found under its own parent, not a namesake elsewhere', () => {
  assert.equal(lineOfPath(deployment, 'spec.replicas'), 5);
  assert.equal(lineOfPath(deployment, 'status.replicas'), 16);
});

test('list items are counted, with dashes indented or not', () => {
  assert.equal(lineOfPath(deployment, 'spec.template.spec.containers[0].image'), 10);
  assert.equal(lineOfPath(deployment, 'spec.template.spec.containers[1].image'), 12);
  assert.equal(lineOfPath(deployment, 'spec.template.spec.containers[1].ports[0].containerPort'), 14);
  const flat = 'spec:\n  containers:\n  - name: a\n  - name: b\n    image: z\n';
  assert.equal(lineOfPath(flat, 'spec.containers[1].image'), 4);
});

test('a missing field points at its deepest parent found', () => {
  assert.equal(lineOfPath(deployment, 'spec.selector'), 4);
  assert.equal(lineOfPath(deployment, 'spec.template.spec.containers[5].image'), 8);
  assert.equal(lineOfPath(deployment, 'nothere'), -1);
});
