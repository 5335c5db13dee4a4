/**
 * Manifests the cluster specs share: the restricted container security context every test pod
 * runs with (the image's own user), and the fake provider as an in-cluster upstream.
 */

/** The restricted profile the chart's pods run with, appended to a container (YAML, 10-space indent). */
export const RESTRICTED = `
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
            seccompProfile: {type: RuntimeDefault}`;

/** A namespace with the fake provider (apps/fake-provider) behind the Service `fake-provider` on port 80. */
export function fakeProviderManifest(namespace: string, image: string): string {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: fake-provider, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: fake-provider}}
  template:
    metadata: {labels: {app: fake-provider}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: fake-provider
          image: ${image}
          imagePullPolicy: Never
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /_fake/health, port: 8080}, periodSeconds: 1}
          resources: {requests: {cpu: 10m, memory: 64Mi}}${RESTRICTED}
---
apiVersion: v1
kind: Service
metadata: {name: fake-provider, namespace: ${namespace}}
spec:
  selector: {app: fake-provider}
  ports: [{port: 80, targetPort: 8080}]
`;
}
